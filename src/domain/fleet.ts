/**
 * Fleet health alerts (设备巡检): a window evaluator that has taken no rating for a while of the
 * hall's opening hours, and any device the server has not heard from for a day. Pure: the
 * server passes what it knows of each device, the hall's settings, calendar and the time.
 */
import { isWorkingDay, type HolidayCalendar } from './calendar';
import type { Id } from './ids';
import { addDays, clockMinutes, hallDate, hallTimeMs } from './schedule';

/** A device not heard from for this long is reported. */
export const NOT_SYNCED_MS = 24 * 60 * 60_000;

export interface OpeningHours {
  /** Hall-local HH:MM. */
  open: string;
  close: string;
}

/**
 * Minutes of opening hours between two instants: the parts of [from, to) that fall inside the
 * hall's opening hours on its working days (holidays are closed, make-up working days open).
 * Counting stops once `limit` is reached, so an old `from` costs no more than needed.
 */
export function openingMinutesBetween(
  fromMs: number,
  toMs: number,
  hours: OpeningHours,
  calendar: HolidayCalendar,
  limit = Number.POSITIVE_INFINITY,
): number {
  if (!(toMs > fromMs)) return 0;
  const openMin = clockMinutes(hours.open);
  const closeMin = clockMinutes(hours.close);
  if (closeMin <= openMin) return 0;
  let total = 0;
  const last = hallDate(toMs);
  for (let date = hallDate(fromMs); date <= last; date = addDays(date, 1)) {
    if (!isWorkingDay(date, calendar)) continue;
    const start = Math.max(fromMs, hallTimeMs(date, hours.open));
    const end = Math.min(toMs, hallTimeMs(date, hours.close));
    if (end > start) total += (end - start) / 60_000;
    if (total >= limit) return total;
  }
  return total;
}

export interface FleetDeviceFacts {
  id: Id;
  role: string;
  enrolledAt: string;
  lastSeenAt: string | null;
  /** Newest rating the device took, by capture time (evaluators). */
  lastRatingAt: string | null;
  revokedAt: string | null;
}

export interface FleetAlertSettings {
  openingHours: OpeningHours;
  silentEvaluatorMinutes: number;
  calendar: HolidayCalendar;
}

export type FleetAlertFact =
  | { deviceId: Id; kind: 'silent_evaluator'; since: string }
  | { deviceId: Id; kind: 'not_synced'; since: string };

/**
 * The alerts of active (not revoked) devices at `nowMs`, in the order of `devices`, a device's
 * silence before its lack of contact. An evaluator is silent when `silentEvaluatorMinutes` of
 * opening hours have passed since its last rating (or its enrollment); a device is out of
 * contact when 24 hours have passed since it was last seen (or enrolled).
 */
export function fleetAlerts(
  devices: readonly FleetDeviceFacts[],
  settings: FleetAlertSettings,
  nowMs: number,
): FleetAlertFact[] {
  const alerts: FleetAlertFact[] = [];
  for (const d of devices) {
    if (d.revokedAt) continue;
    if (d.role === 'evaluator' && settings.silentEvaluatorMinutes > 0) {
      const since = d.lastRatingAt ?? d.enrolledAt;
      const minutes = openingMinutesBetween(
        Date.parse(since),
        nowMs,
        settings.openingHours,
        settings.calendar,
        settings.silentEvaluatorMinutes,
      );
      if (minutes >= settings.silentEvaluatorMinutes)
        alerts.push({ deviceId: d.id, kind: 'silent_evaluator', since });
    }
    const seen = d.lastSeenAt ?? d.enrolledAt;
    if (nowMs - Date.parse(seen) >= NOT_SYNCED_MS)
      alerts.push({ deviceId: d.id, kind: 'not_synced', since: seen });
  }
  return alerts;
}
