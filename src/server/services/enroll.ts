/** Device enrollment (design §5): one-time codes traded for a long random device token. */
import * as v from 'valibot';
import { importPublicKey } from '../../sync/signing';
import type { Db } from '../db/db';
import { DEVICE_ROLES, type DeviceRole } from '../../domain/device';
import { newId } from '../../domain/ids';
import type { EnrollResponse } from '../../sync/protocol';
import { newEnrollmentCode, newToken, normalizeEnrollmentCode, sha256 } from '../crypto';
import { badRequest } from '../errors';
import { insertDevice } from '../repos/devices';
import { getWindow } from '../repos/reference';
import { isoAt } from '../repos/util';

export const ENROLLMENT_HOURS = 24;

export interface NewEnrollment {
  role: DeviceRole;
  windowId?: string | null;
  name?: string | null;
  /** Hours the code stays valid (default 24). */
  hours?: number;
}

export interface Enrollment {
  /** As shown to the operator: `XXXX-XXXX`. */
  code: string;
  expiresAt: string;
  setupPath: string;
  role: DeviceRole;
  windowId: string | null;
}

export const EnrollmentRequestSchema = v.object({
  role: v.picklist(DEVICE_ROLES, `must be one of ${DEVICE_ROLES.join(', ')}`),
  windowId: v.optional(v.nullable(v.string())),
  name: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(100)))),
});

export function setupPath(code: string): string {
  return `/setup?code=${encodeURIComponent(code)}`;
}

/** Create a one-time enrollment code; an evaluator must be bound to an open window of the hall. */
export async function createEnrollment(
  db: Db,
  hallId: string,
  req: NewEnrollment,
  now: number,
): Promise<Enrollment> {
  let windowId: string | null = null;
  if (req.role === 'evaluator' || req.windowId) {
    if (!req.windowId)
      throw badRequest('window_required', 'An evaluator must be bound to a window.');
    const window = await getWindow(db, req.windowId);
    if (!window || window.hallId !== hallId || !window.active) {
      throw badRequest('unknown_window', 'The window does not exist or is closed.');
    }
    windowId = window.id;
  }
  const code = newEnrollmentCode();
  const expiresAt = isoAt(now + (req.hours ?? ENROLLMENT_HOURS) * 3600_000);
  await db.query(
    `INSERT INTO enrollments (code_hash, hall_id, role, window_id, name, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      sha256(normalizeEnrollmentCode(code)),
      hallId,
      req.role,
      windowId,
      req.name || null,
      isoAt(now),
      expiresAt,
    ],
  );
  return { code, expiresAt, setupPath: setupPath(code), role: req.role, windowId };
}

const EnrollSchema = v.object({
  code: v.pipe(v.string(), v.maxLength(64)),
  name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(100))),
  publicKey: v.optional(v.unknown()),
});

interface EnrollmentRow {
  hallId: string;
  role: DeviceRole;
  windowId: string | null;
  name: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

/** Trade a code for a device token: `invalid_code`, `expired_code` or `used_code` otherwise. */
export async function redeemEnrollment(
  db: Db,
  body: unknown,
  now: number,
): Promise<EnrollResponse> {
  const parsed = v.safeParse(EnrollSchema, body);
  if (!parsed.success) throw badRequest('invalid_code', 'An enrollment code is required.');
  const codeHash = sha256(normalizeEnrollmentCode(parsed.output.code));
  // The device's public key, if it sent one: from then on it must sign every request with it.
  const publicKey = parsed.output.publicKey;
  if (
    publicKey !== undefined &&
    (typeof publicKey !== 'string' || publicKey.length > 400 || !(await importPublicKey(publicKey)))
  )
    throw badRequest(
      'bad_public_key',
      'The public key is not an ECDSA P-256 key (SPKI, base64url).',
    );
  return db.tx(async (tx) => {
    const rows = await tx.query<EnrollmentRow>(
      `SELECT hall_id AS "hallId", role, window_id AS "windowId", name, expires_at AS "expiresAt",
         used_at AS "usedAt"
       FROM enrollments WHERE code_hash = $1 FOR UPDATE`,
      [codeHash],
    );
    const e = rows[0];
    if (!e) throw badRequest('invalid_code', 'This enrollment code is not known.');
    if (e.usedAt) throw badRequest('used_code', 'This enrollment code has already been used.');
    if (e.expiresAt.getTime() <= now)
      throw badRequest('expired_code', 'This enrollment code has expired.');
    const deviceId = newId();
    const token = newToken();
    await insertDevice(tx, {
      id: deviceId,
      hallId: e.hallId,
      role: e.role,
      windowId: e.windowId,
      name: parsed.output.name || e.name,
      tokenHash: sha256(token),
      enrolledAt: isoAt(now),
    });
    if (publicKey !== undefined)
      await tx.query('UPDATE devices SET public_key = $2 WHERE id = $1', [deviceId, publicKey]);
    await tx.query('UPDATE enrollments SET used_at = $2, device_id = $3 WHERE code_hash = $1', [
      codeHash,
      isoAt(now),
      deviceId,
    ]);
    return {
      deviceId,
      token,
      hallId: e.hallId,
      role: e.role,
      windowId: e.windowId,
      serverTime: isoAt(now),
    };
  });
}
