/**
 * Leaders' PINs on a duty kiosk, checked offline. A typed PIN is hashed, peppered and compared
 * with the one kept from the roster (see `PinRoster`); the raw hash it yields is what signs the
 * sign-in proof, and it is never stored. Wrong PINs are kept per leader for the lockout.
 */
import type { Id } from '../domain/ids';
import { pinHash } from '../domain/pin';
import type { PinRow } from './db';
import { PinRoster } from './pin-roster';

export type { RosterPin } from './pin-roster';

export type PinCheck =
  { ok: true; hash: string; version: number } | { ok: false; reason: 'no_pin' | 'wrong_pin' };

/** Compare two hex strings without stopping at the first difference. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export class PinRepository extends PinRoster {
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
    const hash = await pinHash(pin, row.salt, row.iterations);
    if (!sameHex(await this.peppered(hash), row.peppered))
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
