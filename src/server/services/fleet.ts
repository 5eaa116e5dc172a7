/**
 * Fleet health (设备巡检) and device management for the console: every enrolled device with what
 * it last reported, the alerts on silent evaluators and devices out of contact, renaming a
 * device and binding an evaluator to another window.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { holidayCalendar } from '../../domain/calendar';
import { fleetAlerts } from '../../domain/fleet';
import type { FleetDevice, FleetResponse } from '../../sync/report-protocol';
import { HttpError, badRequest, notFound } from '../errors';
import { bindDevice, listFleet, lockDevice, renameDevice, type FleetRow } from '../repos/devices';
import { getHolidayYears, getSettings, getWindow } from '../repos/reference';
import { isoAt } from '../repos/util';

function fleetDevice(r: FleetRow): FleetDevice {
  return {
    id: r.id,
    name: r.name,
    role: r.role as FleetDevice['role'],
    window:
      r.windowId && r.windowCode !== null
        ? { id: r.windowId, code: r.windowCode, name: r.windowName ?? '' }
        : null,
    enrolledAt: r.enrolledAt,
    lastSeenAt: r.lastSeenAt,
    pending: r.pending,
    health:
      r.healthAt && r.appVersion !== null
        ? {
            storageUsage: r.storageUsage,
            storageQuota: r.storageQuota,
            persisted: r.storagePersisted,
            appVersion: r.appVersion,
            reportedAt: r.healthAt,
          }
        : null,
    lastRatingAt: r.lastRatingAt,
    revokedAt: r.revokedAt,
  };
}

/** GET /api/v1/admin/fleet */
export async function fleet(db: Db, hallId: string, now: number): Promise<FleetResponse> {
  const [rows, { settings }, years] = await Promise.all([
    listFleet(db, hallId),
    getSettings(db, hallId),
    getHolidayYears(db, hallId),
  ]);
  const devices = rows.map(fleetDevice);
  const alerts = fleetAlerts(
    devices,
    {
      openingHours: settings.openingHours,
      silentEvaluatorMinutes: settings.silentEvaluatorMinutes,
      calendar: holidayCalendar(years.holidays),
    },
    now,
  );
  return {
    serverTime: isoAt(now),
    silentEvaluatorMinutes: settings.silentEvaluatorMinutes,
    openingHours: settings.openingHours,
    devices,
    alerts,
  };
}

const DeviceChangeSchema = v.pipe(
  v.object({
    name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(60))),
    windowId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
  }),
  v.check((b) => b.name !== undefined || b.windowId !== undefined, 'name or windowId is required'),
);

/**
 * POST /api/v1/admin/devices/:id — rename a device (an empty name clears it) and bind an
 * evaluator to another active window of the hall. The evaluator learns its window with its
 * next pull; ratings it captured before still count for the window it had then.
 */
export async function changeDevice(
  db: Db,
  hallId: string,
  id: string,
  body: unknown,
  now: number,
): Promise<{ device: FleetDevice }> {
  const parsed = v.safeParse(DeviceChangeSchema, body);
  if (!parsed.success)
    throw badRequest('invalid_body', 'Expected { name?: string (60 at most), windowId?: string }.');
  const change = parsed.output;
  await db.tx(async (tx) => {
    const device = await lockDevice(tx, id);
    if (!device || device.hallId !== hallId || device.role === 'phone' || device.role === 'console')
      throw notFound('unknown_device', 'There is no such device.');
    if (device.revokedAt) throw new HttpError(409, 'revoked', 'This device has been revoked.');
    if (change.windowId !== undefined && change.windowId !== device.windowId) {
      if (device.role !== 'evaluator')
        throw badRequest('not_evaluator', 'Only a window evaluator is bound to a window.');
      const window = await getWindow(tx, change.windowId);
      if (!window || window.hallId !== hallId || !window.active)
        throw badRequest('unknown_window', 'The window does not exist or is closed.');
      await bindDevice(tx, device, window.id, isoAt(now));
    }
    if (change.name !== undefined) await renameDevice(tx, id, change.name || null);
  });
  const [row] = await listFleet(db, hallId, id);
  return { device: fleetDevice(row!) };
}
