/** Who is asking: a device by its bearer token, an administrator by the session cookie. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/db';
import { sha256, newToken } from '../crypto';
import { HttpError, unauthorized } from '../errors';
import { findDeviceByTokenHash, type DeviceRow } from '../repos/devices';
import { isoAt } from '../repos/util';
import { SIGNATURE_WINDOW_MS, importPublicKey, verifyRequest } from '../../sync/signing';

export function bearerToken(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/** What device authentication reads of a request: the token, the signature and what it covers. */
export type DeviceRequest = Pick<FastifyRequest, 'method' | 'url' | 'headers' | 'body'>;

/** The JSON bodies as they arrived, for checking signatures (the parsed body cannot be re-made). */
const rawJson = new WeakMap<object, string>();

/**
 * Parse JSON as Fastify does, keeping the text each request arrived with: a device's signature
 * covers the bytes it sent.
 */
export function keepRawJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    rawJson.set(request, body as string);
    parse(request, body as string, done);
  });
}

function signedBody(request: DeviceRequest): string | Uint8Array<ArrayBuffer> {
  if (Buffer.isBuffer(request.body))
    return new Uint8Array(
      request.body.buffer,
      request.body.byteOffset,
      request.body.length,
    ) as Uint8Array<ArrayBuffer>;
  return rawJson.get(request) ?? '';
}

/** Public keys as imported, by their text: one import per key while it stays in use. */
const importedKeys = new Map<string, CryptoKey>();
const MAX_IMPORTED_KEYS = 1000;

async function publicKeyOf(spki: string): Promise<CryptoKey | null> {
  const cached = importedKeys.get(spki);
  if (cached) return cached;
  const key = await importPublicKey(spki);
  if (!key) return null;
  if (importedKeys.size >= MAX_IMPORTED_KEYS)
    importedKeys.delete(importedKeys.keys().next().value!);
  importedKeys.set(spki, key);
  return key;
}

const badSignature = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(401, 'bad_signature', message, extra);

/** Nonces are pruned at most this often per database (each server process prunes on its own). */
const PRUNE_EVERY_MS = 10 * 60_000;
const lastPrune = new WeakMap<Db, number>();

/**
 * Record a signed request's nonce; false when this device already used it. Nonces older than the
 * signature window are pruned now and then: a request signed that long ago is refused anyway.
 */
async function spendNonce(
  db: Db,
  deviceId: string,
  nonce: string,
  signedAt: number,
  now: number,
): Promise<boolean> {
  const rows = await db.query<{ ok: number }>(
    `INSERT INTO device_nonces (device_id, nonce, signed_at) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
    [deviceId, nonce, isoAt(signedAt)],
  );
  const last = lastPrune.get(db);
  if (last === undefined || Math.abs(now - last) >= PRUNE_EVERY_MS) {
    lastPrune.set(db, now);
    await db.query('DELETE FROM device_nonces WHERE signed_at < $1', [
      isoAt(now - SIGNATURE_WINDOW_MS),
    ]);
  }
  return rows.length > 0;
}

/**
 * The enrolled device a request's bearer token belongs to: 401 unknown, 403 revoked. A device
 * enrolled with a public key must have signed the request with its private key, within a day of
 * the server's time, with a nonce it has not used before: 401 `bad_signature` otherwise, and
 * `replayed_request` for a nonce already seen (the same request received twice). A device
 * enrolled without a key (clients from before signatures) is taken on its token alone.
 */
export async function authenticateDevice(
  db: Db,
  request: DeviceRequest,
  now: number,
): Promise<DeviceRow> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw unauthorized();
  const found = await findDeviceByTokenHash(db, sha256(token));
  if (!found) throw unauthorized('The device token is not known.');
  const { device, publicKey } = found;
  if (device.revokedAt) throw new HttpError(403, 'revoked', 'This device has been revoked.');
  if (publicKey === null) return device;

  const key = await publicKeyOf(publicKey);
  if (!key) throw badSignature("This device's key cannot be read; enroll it again.");
  const verdict = await verifyRequest(
    key,
    { method: request.method, path: request.url, body: signedBody(request) },
    request.headers,
    now,
  );
  if (!verdict.ok) {
    if (verdict.reason === 'missing')
      throw badSignature('This device signs its requests; this one carries no signature.');
    if (verdict.reason === 'stale')
      throw badSignature("The request was signed more than a day from the server's time.", {
        serverTime: isoAt(now),
      });
    throw badSignature("The request's signature does not match this device's key.");
  }
  if (!(await spendNonce(db, device.id, verdict.nonce, verdict.time, now)))
    throw new HttpError(401, 'replayed_request', 'This request has already been received.');
  return device;
}

export const SESSION_COOKIE = 'hk_session';
export const SESSION_HOURS = 12;

export interface AdminSession {
  adminId: string;
  username: string;
  hallId: string;
}

export async function createSession(
  db: Db,
  adminId: string,
  now: number,
): Promise<{ token: string; expiresAt: string }> {
  const token = newToken();
  const expiresAt = isoAt(now + SESSION_HOURS * 3600_000);
  await db.query(
    'INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
    [sha256(token), adminId, isoAt(now), expiresAt],
  );
  return { token, expiresAt };
}

export async function findSession(
  db: Db,
  token: string | undefined,
  now: number,
): Promise<AdminSession | null> {
  if (!token) return null;
  const rows = await db.query<AdminSession>(
    `SELECT a.id AS "adminId", a.username, a.hall_id AS "hallId"
     FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
     WHERE s.token_hash = $1 AND s.expires_at > $2`,
    [sha256(token), isoAt(now)],
  );
  return rows[0] ?? null;
}

export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [sha256(token)]);
}
