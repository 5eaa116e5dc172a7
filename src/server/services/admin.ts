/** The console's read models and administrator accounts. */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { newId } from '../../domain/ids';
import { RATING_LEVELS } from '../../domain/rating';
import { hashPassword, newPassword, signWindow, verifyPassword } from '../crypto';
import { HttpError, badRequest, notFound } from '../errors';
import { listDevices, revokeDevice } from '../repos/devices';
import { listRejected } from '../repos/events';
import { getHall } from '../repos/halls';
import { listRatings } from '../repos/ratings';
import { listDepartments, listWindows } from '../repos/reference';
import { isoAt } from '../repos/util';

const LoginSchema = v.object({
  username: v.pipe(v.string(), v.maxLength(100)),
  password: v.pipe(v.string(), v.maxLength(200)),
});

// Compared against when the username is unknown, so both failures take the same time.
let decoyHash: Promise<string> | null = null;

export async function checkLogin(
  db: Db,
  body: unknown,
): Promise<{ adminId: string; username: string }> {
  const parsed = v.safeParse(LoginSchema, body);
  if (!parsed.success) throw new HttpError(401, 'bad_credentials', 'Wrong username or password.');
  const rows = await db.query<{ id: string; username: string; passwordHash: string }>(
    'SELECT id, username, password_hash AS "passwordHash" FROM admins WHERE username = $1',
    [parsed.output.username],
  );
  const admin = rows[0];
  decoyHash ??= hashPassword(newPassword());
  const ok = await verifyPassword(parsed.output.password, admin?.passwordHash ?? (await decoyHash));
  if (!admin || !ok) throw new HttpError(401, 'bad_credentials', 'Wrong username or password.');
  return { adminId: admin.id, username: admin.username };
}

/** Set (or create) an administrator's password; returns the new random password. */
export async function resetAdminPassword(
  db: Db,
  hallId: string,
  username: string,
  now: number,
): Promise<string> {
  const password = newPassword();
  const hash = await hashPassword(password);
  await db.query(
    `INSERT INTO admins (id, hall_id, username, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (username) DO UPDATE SET password_hash = $4`,
    [newId(), hallId, username, hash, isoAt(now)],
  );
  // A reset password ends every session that knew the old one.
  await db.query(
    'DELETE FROM admin_sessions WHERE admin_id IN (SELECT id FROM admins WHERE username = $1)',
    [username],
  );
  return password;
}

export function ratingPath(secret: string, code: string): string {
  return `/r/${encodeURIComponent(code)}?s=${signWindow(secret, code)}`;
}

export async function adminWindows(db: Db, hallId: string, base: string) {
  const hall = await getHall(db, hallId);
  if (!hall) throw notFound('unknown_hall', 'The hall does not exist.');
  const departments = new Map((await listDepartments(db, hallId)).map((d) => [d.id, d]));
  const windows = (await listWindows(db, hallId)).map((w) => {
    const d = departments.get(w.departmentId);
    const path = ratingPath(hall.secret, w.code);
    return {
      id: w.id,
      code: w.code,
      name: w.name,
      ...(w.nameEn ? { nameEn: w.nameEn } : {}),
      active: w.active,
      department: {
        id: w.departmentId,
        code: d?.code ?? '',
        name: d?.name ?? '',
        ...(d?.nameEn ? { nameEn: d.nameEn } : {}),
      },
      ratingPath: path,
      ratingUrl: `${base}${path}`,
    };
  });
  return {
    hall: { id: hall.id, name: hall.name, ...(hall.nameEn ? { nameEn: hall.nameEn } : {}) },
    windows,
  };
}

export async function adminDevices(db: Db, hallId: string) {
  const devices = await listDevices(db, hallId);
  return {
    devices: devices.map((d) => ({
      id: d.id,
      name: d.name,
      role: d.role,
      windowId: d.windowId,
      windowCode: d.windowCode,
      windowName: d.windowName,
      enrolledAt: d.enrolledAt,
      lastSeenAt: d.lastSeenAt,
      lastSeq: d.lastSeq,
      pending: d.pending,
      revokedAt: d.revokedAt,
    })),
  };
}

export async function adminRevoke(
  db: Db,
  hallId: string,
  deviceId: string,
  now: number,
): Promise<void> {
  if (!(await revokeDevice(db, hallId, deviceId, isoAt(now)))) {
    throw notFound('unknown_device', 'There is no such device.');
  }
}

function limitParam(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw badRequest('invalid_query', 'limit must be a positive whole number.');
  return Math.min(n, max);
}

export async function adminRatings(
  db: Db,
  hallId: string,
  query: { limit?: unknown; windowId?: unknown },
) {
  const limit = limitParam(query.limit, 50, 500);
  const windowId =
    typeof query.windowId === 'string' && query.windowId !== '' ? query.windowId : undefined;
  const {
    total: counted,
    byLevel,
    ratings,
  } = await listRatings(db, hallId, { limit, ...(windowId ? { windowId } : {}) });
  const refused = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rejected_events WHERE hall_id = $1 AND type = 'rating.submitted'
       AND ($2::text IS NULL OR envelope -> 'payload' ->> 'windowId' = $2)`,
    [hallId, windowId ?? null],
  );
  return {
    /** Ratings received: counted plus refused (duplicate ticket, too soon, invalid …). */
    total: counted + (refused[0]?.n ?? 0),
    counted,
    byLevel: Object.fromEntries(RATING_LEVELS.map((l) => [l, byLevel[l] ?? 0])),
    ratings,
  };
}

export async function adminRejected(db: Db, hallId: string, query: { limit?: unknown }) {
  return { rejected: await listRejected(db, hallId, limitParam(query.limit, 200, 1000)) };
}
