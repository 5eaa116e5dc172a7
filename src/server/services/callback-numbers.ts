/**
 * A citizen's mobile number for the call-back (回访) of a 差评: never in the event log, stored
 * sealed (AES-256-GCM) with a key kept outside the database — `CALLBACK_KEY` (base64, 32 bytes)
 * or a key file created on first start in the data folder (mode 0600). The ciphertext is deleted
 * when the problem closes; the row stays with `erased_at` so the console can say so.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/db';
import { isPoorRating, type RatingLevel } from '../../domain/rating';
import { seal, sealingKey, unseal, type SealingKey } from '../crypto';
import { badRequest, notFound } from '../errors';
import { windowOfCard } from './public';

/** A mainland mobile number: 11 digits starting with 1 (spaces and dashes ignored). */
export function normalizeMobile(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const digits = input.replace(/[\s-]/g, '');
  return /^1\d{10}$/.test(digits) ? digits : null;
}

/** 138****5678. */
export function maskMobile(number: string): string {
  return `${number.slice(0, 3)}****${number.slice(-4)}`;
}

/** The key from `CALLBACK_KEY`, or from `<dataDir>/callback.key`, created on first use. */
export function loadCallbackKey(env: string | undefined, dataDir: string): SealingKey {
  if (env !== undefined && env !== '') {
    const key = Buffer.from(env, 'base64');
    if (key.length !== 32) throw new Error('CALLBACK_KEY must be 32 bytes, base64');
    return sealingKey(key);
  }
  const file = join(dataDir, 'callback.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return sealingKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
}

/** Keep the number for a rating; a second call for the same rating changes nothing. */
export async function storeNumber(
  db: Db,
  key: SealingKey,
  hallId: string,
  ratingId: string,
  number: string,
  now: Date,
): Promise<void> {
  const { iv, ciphertext } = seal(key, number);
  await db.query(
    `INSERT INTO callback_contacts (rating_id, hall_id, key_id, iv, ciphertext, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (rating_id) DO NOTHING`,
    [ratingId, hallId, key.id, iv, ciphertext, now.toISOString()],
  );
}

export type StoredNumber =
  { state: 'none' } | { state: 'erased'; erasedAt: string } | { state: 'kept'; number: string };

/** The number of a rating in this hall, in clear text: only for the reveal that is logged. */
export async function readNumber(
  db: Db,
  key: SealingKey,
  hallId: string,
  ratingId: string,
): Promise<StoredNumber> {
  const rows = await db.query<{
    keyId: string;
    iv: Uint8Array;
    ciphertext: Uint8Array;
    erasedAt: string | Date | null;
  }>(
    `SELECT key_id AS "keyId", iv, ciphertext, erased_at AS "erasedAt"
       FROM callback_contacts WHERE rating_id = $1 AND hall_id = $2`,
    [ratingId, hallId],
  );
  const row = rows[0];
  if (!row) return { state: 'none' };
  if (row.erasedAt !== null)
    return { state: 'erased', erasedAt: new Date(row.erasedAt).toISOString() };
  if (row.keyId !== key.id) throw new Error('call-back number sealed with another key');
  return { state: 'kept', number: unseal(key, Buffer.from(row.iv), Buffer.from(row.ciphertext)) };
}

/** Delete the sealed number once the problem is closed; the row remains, marked erased. */
export async function eraseNumber(
  db: Db,
  hallId: string,
  ratingId: string,
  now: Date,
): Promise<boolean> {
  const rows = await db.query<{ ratingId: string }>(
    `UPDATE callback_contacts SET iv = '\\x'::bytea, ciphertext = '\\x'::bytea, erased_at = $3
      WHERE rating_id = $1 AND hall_id = $2 AND erased_at IS NULL RETURNING rating_id AS "ratingId"`,
    [ratingId, hallId, now.toISOString()],
  );
  return rows.length > 0;
}

/**
 * POST /public/callback-number { ratingId, phoneId, windowCode, sig, number }: the phone that gave
 * a 差评 leaves a number for its call-back. The card's signature must be the hall's, the rating
 * must be that phone's 差评 at that window; a repeated request changes nothing. The number is never
 * logged nor echoed.
 */
export async function submitCallbackNumber(
  db: Db,
  key: SealingKey,
  body: unknown,
  now: Date,
): Promise<{ ok: true }> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { ratingId, phoneId, windowCode } = b;
  const id = /^[\w-]{1,64}$/;
  if (
    typeof ratingId !== 'string' ||
    typeof phoneId !== 'string' ||
    typeof windowCode !== 'string' ||
    !id.test(ratingId) ||
    !id.test(phoneId) ||
    !id.test(windowCode)
  ) {
    throw badRequest('invalid_request', 'ratingId, phoneId and windowCode are required.');
  }
  const number = normalizeMobile(b.number);
  if (number === null) {
    throw badRequest(
      'invalid_mobile',
      'The number must be a mainland mobile number: 11 digits starting with 1.',
    );
  }
  const { window, hall } = await windowOfCard(db, windowCode, b.sig);
  const rows = await db.query<{ level: RatingLevel }>(
    `SELECT level FROM ratings
      WHERE event_id = $1 AND hall_id = $2 AND window_id = $3 AND phone_id = $4`,
    [ratingId, hall.id, window.id, phoneId],
  );
  const rating = rows[0];
  if (!rating || !isPoorRating(rating.level)) {
    throw notFound('unknown_rating', 'This phone gave no poor rating with this id at this window.');
  }
  await storeNumber(db, key, hall.id, ratingId, number, now);
  return { ok: true };
}
