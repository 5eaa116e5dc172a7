/**
 * Leaders' PINs on a duty kiosk, checked offline. The kiosk keeps what the server hands out
 * (salt, iterations, PBKDF2 hash) only peppered: HMAC-SHA256 of the hash under a non-extractable
 * key generated once on this kiosk. A typed PIN is hashed, peppered and compared; the raw hash it
 * yields is what signs the sign-in proof, and it is never stored.
 */
import type { Id } from '../domain/ids';
import type { HallKioskDb, PinRow } from './db';

/** A leader's PIN as the server's roster lists it (GET /api/v1/roster/pins). */
export interface RosterPin {
  leaderId: Id;
  version: number;
  salt: string;
  iterations: number;
  hash: string;
}

export type PinCheck =
  { ok: true; hash: string; version: number } | { ok: false; reason: 'no_pin' | 'wrong_pin' };

function toHex(bytes: ArrayBuffer): string {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Compare two hex strings without stopping at the first difference. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export class PinRepository {
  #pepper: Promise<CryptoKey> | null = null;

  constructor(private readonly db: HallKioskDb) {}

  /** The kiosk's pepper key, generated and stored the first time it is needed. */
  pepperKey(): Promise<CryptoKey> {
    this.#pepper ??= this.#loadPepper().catch((error: unknown) => {
      this.#pepper = null;
      throw error;
    });
    return this.#pepper;
  }

  async #loadPepper(): Promise<CryptoKey> {
    const existing = await this.db.getMeta('pinPepper');
    if (existing) return existing;
    // WebCrypto is asynchronous, so the key is made before the transaction; if another tab stored
    // one meanwhile, that one is kept.
    const made = await globalThis.crypto.subtle.generateKey(
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign'],
    );
    const { db } = this;
    return db.transaction('rw', db.meta, async () => {
      const again = await db.getMeta('pinPepper');
      if (again) return again;
      await db.putMeta('pinPepper', made);
      return made;
    });
  }

  async #pepperHex(hashHex: string): Promise<string> {
    const key = await this.pepperKey();
    const sig = await globalThis.crypto.subtle.sign('HMAC', key, new TextEncoder().encode(hashHex));
    return toHex(sig);
  }

  /** Replace the kept PINs with the roster's: leaders no longer listed lose theirs here too. */
  async replaceAll(pins: readonly RosterPin[]): Promise<void> {
    const rows: PinRow[] = [];
    for (const p of pins) {
      rows.push({
        leaderId: p.leaderId,
        version: p.version,
        salt: p.salt,
        iterations: p.iterations,
        peppered: await this.#pepperHex(p.hash),
      });
    }
    const { db } = this;
    await db.transaction('rw', db.pins, async () => {
      await db.pins.clear();
      await db.pins.bulkPut(rows);
    });
  }

  get(leaderId: Id): Promise<PinRow | undefined> {
    return this.db.pins.get(leaderId);
  }

  /** Leaders with a PIN known on this kiosk. */
  async leaderIds(): Promise<Id[]> {
    return (await this.db.pins.toCollection().primaryKeys()) as Id[];
  }

  /** Check a typed PIN against the kept one. */
  async check(leaderId: Id, pin: string): Promise<PinCheck> {
    const row = await this.get(leaderId);
    if (!row) return { ok: false, reason: 'no_pin' };
    // The hashing is loaded with the first check, not with the roster saved at every sync.
    const { pinHash } = await import('../domain/pin');
    const hash = await pinHash(pin, row.salt, row.iterations);
    if (!sameHex(await this.#pepperHex(hash), row.peppered))
      return { ok: false, reason: 'wrong_pin' };
    return { ok: true, hash, version: row.version };
  }

  /** Times of the leader's wrong PINs kept on this kiosk. */
  async failures(leaderId: Id): Promise<number[]> {
    return (await this.db.pinFailures.get(leaderId))?.times ?? [];
  }

  /** Add a wrong PIN; only the recent ones (within `keepMs`) are kept. Returns them all. */
  async addFailure(leaderId: Id, atMs: number, keepMs: number): Promise<number[]> {
    const { db } = this;
    return db.transaction('rw', db.pinFailures, async () => {
      const before = (await db.pinFailures.get(leaderId))?.times ?? [];
      const times = [...before.filter((t) => t > atMs - keepMs), atMs];
      await db.pinFailures.put({ leaderId, times });
      return times;
    });
  }

  async clearFailures(leaderId: Id): Promise<void> {
    await this.db.pinFailures.delete(leaderId);
  }
}
