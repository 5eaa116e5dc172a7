import type { Db } from '../db/db';
import type { WriterKind } from '../../domain/device';
import type { DeviceHealth } from '../../sync/report-protocol';
import { iso } from './util';

export interface DeviceRow {
  id: string;
  hallId: string;
  role: WriterKind;
  windowId: string | null;
  name: string | null;
  lastSeq: number;
  lastHash: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  pending: number | null;
  revokedAt: string | null;
}

interface RawDevice extends Omit<DeviceRow, 'enrolledAt' | 'lastSeenAt' | 'revokedAt'> {
  enrolledAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = `id, hall_id AS "hallId", role, window_id AS "windowId", name, last_seq AS "lastSeq",
  last_hash AS "lastHash", enrolled_at AS "enrolledAt", last_seen_at AS "lastSeenAt", pending,
  revoked_at AS "revokedAt"`;

function toDevice(r: RawDevice): DeviceRow {
  return {
    ...r,
    enrolledAt: iso(r.enrolledAt),
    lastSeenAt: iso(r.lastSeenAt),
    revokedAt: iso(r.revokedAt),
  };
}

/** The device a token belongs to, with the public key its requests must be signed with, if any. */
export async function findDeviceByTokenHash(
  db: Db,
  tokenHash: string,
): Promise<{ device: DeviceRow; publicKey: string | null } | null> {
  const rows = await db.query<RawDevice & { publicKey: string | null }>(
    `SELECT ${COLUMNS}, public_key AS "publicKey" FROM devices WHERE token_hash = $1`,
    [tokenHash],
  );
  if (!rows[0]) return null;
  const { publicKey, ...device } = rows[0];
  return { device: toDevice(device), publicKey };
}

export async function getDevice(db: Db, id: string): Promise<DeviceRow | null> {
  const rows = await db.query<RawDevice>(`SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id]);
  return rows[0] ? toDevice(rows[0]) : null;
}

/** Read a device's row and hold its lock until the transaction ends (one writer per device log). */
export async function lockDevice(tx: Db, id: string): Promise<DeviceRow | null> {
  const rows = await tx.query<RawDevice>(
    `SELECT ${COLUMNS} FROM devices WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ? toDevice(rows[0]) : null;
}

export interface NewDevice {
  id: string;
  hallId: string;
  role: WriterKind;
  windowId: string | null;
  name: string | null;
  tokenHash: string | null;
  enrolledAt: string;
}

export async function insertDevice(db: Db, d: NewDevice): Promise<void> {
  await db.query(
    `INSERT INTO devices (id, hall_id, role, window_id, name, token_hash, enrolled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [d.id, d.hallId, d.role, d.windowId, d.name, d.tokenHash, d.enrolledAt],
  );
}

/** Create the row if it is missing (citizens' phones appear on their first rating). */
export async function ensureDevice(db: Db, d: NewDevice): Promise<void> {
  await db.query(
    `INSERT INTO devices (id, hall_id, role, window_id, name, token_hash, enrolled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [d.id, d.hallId, d.role, d.windowId, d.name, d.tokenHash, d.enrolledAt],
  );
}

export async function advanceDeviceLog(
  tx: Db,
  id: string,
  head: { lastSeq: number; lastHash: string | null },
  seenAt: string,
  pending?: number,
  health?: DeviceHealth | null,
): Promise<void> {
  await tx.query(
    `UPDATE devices SET last_seq = $2, last_hash = $3, last_seen_at = $4, pending = COALESCE($5, pending)
     WHERE id = $1`,
    [id, head.lastSeq, head.lastHash, seenAt, pending ?? null],
  );
  if (health) await saveHealth(tx, id, health, seenAt);
}

/**
 * Lock a device's row and move its log head to the end of a batch it pushes, in one statement:
 * answers the row as it was (null if there is none), the head set to `batchEnd` if the batch
 * reaches beyond the stored head and left as it was otherwise, the device seen at `seenAt`, its
 * count of events still to send kept when the push reports none. A caller that finds the row
 * revoked, or the batch after a gap, refuses the push and so rolls this back with it.
 */
export async function lockAndAdvanceDeviceLog(
  tx: Db,
  id: string,
  batchEnd: { lastSeq: number; lastHash: string | null },
  seenAt: string,
  pending?: number,
): Promise<DeviceRow | null> {
  const rows = await tx.query<RawDevice>(
    `WITH old AS (
       SELECT ${COLUMNS} FROM devices WHERE id = $1 FOR UPDATE
     ), moved AS (
       UPDATE devices d SET
         last_seq = CASE WHEN $2::bigint > old."lastSeq" THEN $2::bigint ELSE old."lastSeq" END,
         last_hash = CASE WHEN $2::bigint > old."lastSeq" THEN $3::text ELSE old."lastHash" END,
         last_seen_at = $4, pending = COALESCE($5, d.pending)
       FROM old WHERE d.id = old.id
     )
     SELECT * FROM old`,
    [id, batchEnd.lastSeq, batchEnd.lastHash, seenAt, pending ?? null],
  );
  return rows[0] ? toDevice(rows[0]) : null;
}

/** What a device last reported of its storage and app version (fleet health). */
export async function saveHealth(
  db: Db,
  id: string,
  health: DeviceHealth,
  at: string,
): Promise<void> {
  await db.query(
    `UPDATE devices SET storage_usage = $2, storage_quota = $3, storage_persisted = $4,
       app_version = $5, health_at = $6 WHERE id = $1`,
    [id, health.storageUsage, health.storageQuota, health.persisted, health.appVersion, at],
  );
}

export async function touchDevice(db: Db, id: string, seenAt: string): Promise<void> {
  await db.query('UPDATE devices SET last_seen_at = $2 WHERE id = $1', [id, seenAt]);
}

/** Revoke a device; returns false when there is no such enrolled device in the hall. */
export async function revokeDevice(
  db: Db,
  hallId: string,
  id: string,
  at: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE devices SET revoked_at = COALESCE(revoked_at, $3)
     WHERE id = $1 AND hall_id = $2 AND role NOT IN ('phone', 'console') RETURNING id`,
    [id, hallId, at],
  );
  return rows.length > 0;
}

export async function consoleWriter(db: Db, hallId: string): Promise<DeviceRow | null> {
  const rows = await db.query<RawDevice>(
    `SELECT ${COLUMNS} FROM devices WHERE hall_id = $1 AND role = 'console' ORDER BY enrolled_at, id LIMIT 1`,
    [hallId],
  );
  return rows[0] ? toDevice(rows[0]) : null;
}

export interface DeviceListRow extends DeviceRow {
  windowCode: string | null;
  windowName: string | null;
}

/** Enrolled devices of a hall (not phones, not the console's own writer), newest first. */
export async function listDevices(db: Db, hallId: string): Promise<DeviceListRow[]> {
  const rows = await db.query<RawDevice & { windowCode: string | null; windowName: string | null }>(
    `SELECT d.id, d.hall_id AS "hallId", d.role, d.window_id AS "windowId", d.name,
       d.last_seq AS "lastSeq", d.last_hash AS "lastHash", d.enrolled_at AS "enrolledAt",
       d.last_seen_at AS "lastSeenAt", d.pending, d.revoked_at AS "revokedAt",
       w.code AS "windowCode", w.name AS "windowName"
     FROM devices d LEFT JOIN windows w ON w.id = d.window_id
     WHERE d.hall_id = $1 AND d.role NOT IN ('phone', 'console')
     ORDER BY d.enrolled_at DESC, d.id DESC`,
    [hallId],
  );
  return rows.map((r) => ({ ...toDevice(r), windowCode: r.windowCode, windowName: r.windowName }));
}

/** A device as the fleet page shows it: its row, its window, its health and its newest rating. */
export interface FleetRow extends DeviceListRow {
  storageUsage: number | null;
  storageQuota: number | null;
  storagePersisted: boolean | null;
  appVersion: string | null;
  healthAt: string | null;
  lastRatingAt: string | null;
}

/**
 * Enrolled devices of a hall (not phones, not the console's writer), revoked ones last, each
 * with its newest rating by capture time (index ratings_device_at); `id` narrows to one.
 */
export async function listFleet(db: Db, hallId: string, id?: string): Promise<FleetRow[]> {
  const rows = await db.query<
    RawDevice & {
      windowCode: string | null;
      windowName: string | null;
      storageUsage: string | number | null;
      storageQuota: string | number | null;
      storagePersisted: boolean | null;
      appVersion: string | null;
      healthAt: Date | null;
      lastRatingAt: Date | null;
    }
  >(
    `SELECT d.id, d.hall_id AS "hallId", d.role, d.window_id AS "windowId", d.name,
       d.last_seq AS "lastSeq", d.last_hash AS "lastHash", d.enrolled_at AS "enrolledAt",
       d.last_seen_at AS "lastSeenAt", d.pending, d.revoked_at AS "revokedAt",
       w.code AS "windowCode", w.name AS "windowName",
       d.storage_usage AS "storageUsage", d.storage_quota AS "storageQuota",
       d.storage_persisted AS "storagePersisted", d.app_version AS "appVersion",
       d.health_at AS "healthAt",
       (SELECT max(r.at) FROM ratings r WHERE r.device_id = d.id) AS "lastRatingAt"
     FROM devices d LEFT JOIN windows w ON w.id = d.window_id
     WHERE d.hall_id = $1 AND d.role NOT IN ('phone', 'console') AND ($2::text IS NULL OR d.id = $2)
     ORDER BY d.revoked_at IS NOT NULL, d.enrolled_at DESC, d.id DESC`,
    [hallId, id ?? null],
  );
  const num = (n: string | number | null) => (n === null ? null : Number(n));
  return rows.map((r) => ({
    ...toDevice(r),
    windowCode: r.windowCode,
    windowName: r.windowName,
    storageUsage: num(r.storageUsage),
    storageQuota: num(r.storageQuota),
    storagePersisted: r.storagePersisted,
    appVersion: r.appVersion,
    healthAt: iso(r.healthAt),
    lastRatingAt: iso(r.lastRatingAt),
  }));
}

export async function renameDevice(tx: Db, id: string, name: string | null): Promise<void> {
  await tx.query('UPDATE devices SET name = $2 WHERE id = $1', [id, name]);
}

/** A window an evaluator was bound to from an instant on. */
export interface Binding {
  windowId: string;
  from: string;
}

/**
 * Bind an evaluator to another window from `at` on, keeping the window it had until then (ratings
 * it captured before still count for that window). Call with the device row locked.
 */
export async function bindDevice(
  tx: Db,
  device: DeviceRow,
  windowId: string,
  at: string,
): Promise<void> {
  // The first binding made by the console also records the window the device enrolled with.
  if (device.windowId) {
    await tx.query(
      `INSERT INTO device_bindings (device_id, window_id, bound_at)
       SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM device_bindings WHERE device_id = $1)`,
      [device.id, device.windowId, device.enrolledAt],
    );
  }
  await tx.query(
    `INSERT INTO device_bindings (device_id, window_id, bound_at) VALUES ($1, $2, $3)
     ON CONFLICT (device_id, bound_at) DO UPDATE SET window_id = excluded.window_id`,
    [device.id, windowId, at],
  );
  await tx.query('UPDATE devices SET window_id = $2 WHERE id = $1', [device.id, windowId]);
}

/** The windows a device was bound to, oldest first (empty for one never bound again). */
export async function deviceBindings(db: Db, deviceId: string): Promise<Binding[]> {
  const rows = await db.query<{ windowId: string; from: Date }>(
    `SELECT window_id AS "windowId", bound_at AS "from" FROM device_bindings
     WHERE device_id = $1 ORDER BY bound_at`,
    [deviceId],
  );
  return rows.map((r) => ({ windowId: r.windowId, from: iso(r.from) }));
}

/** The window of `bindings` in effect at `at` (before the first: the first). */
export function boundWindowAt(bindings: readonly Binding[], at: string): string | null {
  const t = Date.parse(at);
  let current: string | null = bindings[0]?.windowId ?? null;
  for (const b of bindings) {
    if (Date.parse(b.from) <= t) current = b.windowId;
    else break;
  }
  return current;
}
