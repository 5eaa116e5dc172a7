/** Who is asking: a device by its bearer token, an administrator by the session cookie. */
import type { Db } from '../db/db';
import { sha256, newToken } from '../crypto';
import { HttpError, unauthorized } from '../errors';
import { findDeviceByTokenHash, type DeviceRow } from '../repos/devices';
import { isoAt } from '../repos/util';

export function bearerToken(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/** The enrolled device a request's bearer token belongs to: 401 unknown, 403 revoked. */
export async function authenticateDevice(db: Db, header: string | undefined): Promise<DeviceRow> {
  const token = bearerToken(header);
  if (!token) throw unauthorized();
  const device = await findDeviceByTokenHash(db, sha256(token));
  if (!device) throw unauthorized('The device token is not known.');
  if (device.revokedAt) throw new HttpError(403, 'revoked', 'This device has been revoked.');
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
