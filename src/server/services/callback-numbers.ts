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
import { maskMobile, normalizeMobile } from '../../domain/mobile';
import type { Problem } from '../../domain/problem';
import { isPoorRating, type RatingLevel } from '../../domain/rating';
import type { CallbackNumberView } from '../../sync/pipeline-protocol';
import type { Config } from '../config';
import { seal, sealingKey, unseal, type SealingKey } from '../crypto';
import { badRequest, HttpError, notFound } from '../errors';
import { windowOfCard } from './public';

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

const keys = new WeakMap<Config, SealingKey>();

/** The server's call-back key, read once per configuration. */
export function callbackKeyOf(config: Config): SealingKey {
  let key = keys.get(config);
  if (!key) {
    key = loadCallbackKey(process.env['CALLBACK_KEY'], config.dataDir);
    keys.set(config, key);
  }
  return key;
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

/**
 * What the console shows of a 差评's call-back number: masked, with who revealed it when; or that
 * it was erased; undefined when the citizen left none (or the problem is not a 差评).
 */
export async function callbackNumberOf(
  db: Db,
  key: () => SealingKey,
  hallId: string,
  problem: Pick<Problem, 'id' | 'source'>,
): Promise<CallbackNumberView | undefined> {
  if (problem.source !== 'rating') return undefined;
  const stored = await db.query<{ erasedAt: string | Date | null }>(
    'SELECT erased_at AS "erasedAt" FROM callback_contacts WHERE rating_id = $1 AND hall_id = $2',
    [problem.id, hallId],
  );
  if (!stored[0]) return undefined;
  const number = await readNumber(db, key(), hallId, problem.id);
  if (number.state === 'none') return undefined;
  if (number.state === 'erased') return number;
  const reveals = await db.query<{ by: string; at: string | Date }>(
    `SELECT coalesce(a.username, r.admin_id) AS by, r.revealed_at AS at
       FROM callback_reveals r LEFT JOIN admins a ON a.id = r.admin_id
      WHERE r.rating_id = $1 ORDER BY r.revealed_at DESC LIMIT 20`,
    [problem.id],
  );
  return {
    state: 'kept',
    masked: maskMobile(number.number),
    reveals: reveals.map((r) => ({ by: r.by, at: new Date(r.at).toISOString() })),
  };
}

/**
 * POST /admin/problems/:id/callback-number/reveal: the number in clear text for the administrator
 * who calls the citizen back, written to the reveal log in the same transaction. A problem that is
 * not a 差评 of this hall, or whose number is gone, has nothing to reveal.
 */
export async function revealNumber(
  db: Db,
  key: SealingKey,
  admin: { hallId: string; adminId: string },
  problemId: string,
  now: Date,
): Promise<{ number: string }> {
  return db.tx(async (tx) => {
    const problems = await tx.query<{ source: string }>(
      'SELECT source FROM problems WHERE id = $1 AND hall_id = $2',
      [problemId, admin.hallId],
    );
    if (problems[0]?.source !== 'rating') {
      throw notFound('unknown_problem', 'There is no such 差评 in this hall.');
    }
    const number = await readNumber(tx, key, admin.hallId, problemId);
    if (number.state === 'erased') {
      throw new HttpError(410, 'number_erased', 'The number was erased when the problem closed.');
    }
    if (number.state === 'none') {
      throw notFound('no_number', 'The citizen left no number for this 差评.');
    }
    await tx.query(
      'INSERT INTO callback_reveals (rating_id, hall_id, admin_id, revealed_at) VALUES ($1, $2, $3, $4)',
      [problemId, admin.hallId, admin.adminId, now.toISOString()],
    );
    return { number: number.number };
  });
}
