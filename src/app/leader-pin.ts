/**
 * A leader's PIN checked offline on a kiosk or tablet (duty kiosk, inspection tablet), with the
 * per-leader lockout kept in the device's database so it survives a reload.
 */
import type { Id } from '../domain/ids';
import { LOCKOUT_MS, lockoutAfter } from '../domain/pin';
import type { LocalStore } from '../storage/store';
import { SignInError, type PinLockout } from './device-api';

/** Leaders' wrong PINs are kept this long (the lockout looks back LOCKOUT_MS from each). */
const FAILURE_KEEP_MS = 2 * LOCKOUT_MS;

/** A PIN that checked out: the leader's PBKDF2 hash (for the event's proof) and its version. */
export interface VerifiedPin {
  hash: string;
  version: number;
}

export async function hasLeaderPin(store: LocalStore, leaderId: Id): Promise<boolean> {
  return (await (await store.pins()).get(leaderId)) !== undefined;
}

export async function leaderLockout(
  store: LocalStore,
  leaderId: Id,
  nowMs: number,
): Promise<PinLockout> {
  return lockoutAfter(await (await store.pins()).failures(leaderId), nowMs);
}

/**
 * Check a typed PIN against the one kept for the leader. Rejects with SignInError: `locked`
 * (before or after this wrong PIN), `no_pin`, or `wrong_pin` with the failures left. A right PIN
 * clears the leader's wrong ones.
 */
export async function verifyLeaderPin(
  store: LocalStore,
  leaderId: Id,
  pin: string,
  now: () => number,
): Promise<VerifiedPin> {
  const before = await leaderLockout(store, leaderId, now());
  if (before.locked) throw new SignInError('locked', 0, before.remainingMs);
  const pins = await store.pins();
  const check = await pins.check(leaderId, pin);
  if (!check.ok) {
    if (check.reason === 'no_pin') throw new SignInError('no_pin');
    const times = await pins.addFailure(leaderId, now(), FAILURE_KEEP_MS);
    const after = lockoutAfter(times, now());
    if (after.locked) throw new SignInError('locked', 0, after.remainingMs);
    throw new SignInError('wrong_pin', after.failuresLeft);
  }
  await pins.clearFailures(leaderId);
  return { hash: check.hash, version: check.version };
}
