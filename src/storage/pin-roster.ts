/**
 * Leaders' PINs as a duty kiosk keeps them from the server's roster: what the server hands out
 * (salt, iterations, PBKDF2 hash) only peppered, with HMAC-SHA256 of the hash under a
 * non-extractable key generated once on this kiosk. Saved at every sync; checking a typed PIN
 * against them is `PinRepository`'s (loaded when a leader first chooses themself).
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

function toHex(bytes: ArrayBuffer): string {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

export class PinRoster {
  #pepper: Promise<CryptoKey> | null = null;

  constructor(protected readonly db: HallKioskDb) {}

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

  /** A PIN hash as kept here: peppered with this kiosk's key. */
  async peppered(hashHex: string): Promise<string> {
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
        peppered: await this.peppered(p.hash),
      });
    }
    const { db } = this;
    await db.transaction('rw', db.pins, async () => {
      await db.pins.clear();
      await db.pins.bulkPut(rows);
    });
  }
}
