/**
 * Failed console logins, counted per user name and per address in the database (so every server
 * process sees the same counts): after five failures within an hour a key is locked for a minute,
 * doubling with each further failure up to fifteen minutes. While locked, the password is not
 * even checked.
 */
import type { Db } from '../db/db';
import { isoAt } from '../repos/util';

export const FAILURES_BEFORE_LOCK = 5;
const FIRST_LOCK_MS = 60_000;
const LONGEST_LOCK_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
const WINDOW_MS = 60 * 60_000;

/** The keys a login attempt counts against. */
export function loginKeys(username: unknown, address: string): string[] {
  const user = typeof username === 'string' ? username.trim().toLowerCase().slice(0, 100) : '';
  return [...(user ? [`user:${user}`] : []), `addr:${address}`];
}

/** Milliseconds until the longest lock among `keys` ends; 0 when none is locked. */
export async function lockedFor(db: Db, keys: string[], now: number): Promise<number> {
  const rows = await db.query<{ lockedUntil: string | Date | null }>(
    'SELECT locked_until AS "lockedUntil" FROM login_throttle WHERE key = ANY($1::text[])',
    [keys],
  );
  let longest = 0;
  for (const r of rows) {
    if (r.lockedUntil === null) continue;
    longest = Math.max(longest, new Date(r.lockedUntil).getTime() - now);
  }
  return longest;
}

/** Count a failed attempt against each key, locking those that reached the limit. */
export async function recordFailure(db: Db, keys: string[], now: number): Promise<void> {
  const since = isoAt(now - WINDOW_MS);
  await db.tx(async (tx) => {
    for (const key of keys) {
      const [row] = await tx.query<{ failures: number }>(
        `INSERT INTO login_throttle (key, failures, first_failed_at) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.first_failed_at < $3 THEN 1
                           ELSE login_throttle.failures + 1 END,
           first_failed_at = CASE WHEN login_throttle.first_failed_at < $3 THEN $2
                                  ELSE login_throttle.first_failed_at END
         RETURNING failures`,
        [key, isoAt(now), since],
      );
      const failures = row!.failures;
      if (failures < FAILURES_BEFORE_LOCK) continue;
      const lock = Math.min(
        LONGEST_LOCK_MS,
        FIRST_LOCK_MS * 2 ** (failures - FAILURES_BEFORE_LOCK),
      );
      await tx.query('UPDATE login_throttle SET locked_until = $2 WHERE key = $1', [
        key,
        isoAt(now + lock),
      ]);
    }
  });
}

/** A successful login forgets the failures of its keys. */
export async function clearFailures(db: Db, keys: string[]): Promise<void> {
  await db.query('DELETE FROM login_throttle WHERE key = ANY($1::text[])', [keys]);
}
