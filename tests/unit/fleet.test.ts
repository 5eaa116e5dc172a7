import { describe, expect, it } from 'vitest';
import { holidayCalendar } from '../../src/domain/calendar';
import { fleetAlerts, openingMinutesBetween, type FleetDeviceFacts } from '../../src/domain/fleet';
import { hallTimeMs } from '../../src/domain/schedule';

const cal = holidayCalendar();
const hours = { open: '09:00', close: '17:00' };
const at = (date: string, time: string) => hallTimeMs(date, time);
const iso = (date: string, time: string) => new Date(at(date, time)).toISOString();

describe('openingMinutesBetween', () => {
  it('counts the minutes inside the opening hours of one working day', () => {
    // Tuesday 3 March 2026.
    expect(
      openingMinutesBetween(at('2026-03-03', '10:00'), at('2026-03-03', '11:30'), hours, cal),
    ).toBe(90);
    expect(
      openingMinutesBetween(at('2026-03-03', '07:00'), at('2026-03-03', '10:00'), hours, cal),
    ).toBe(60);
    expect(
      openingMinutesBetween(at('2026-03-03', '16:30'), at('2026-03-03', '20:00'), hours, cal),
    ).toBe(30);
    expect(
      openingMinutesBetween(at('2026-03-03', '07:00'), at('2026-03-03', '08:59'), hours, cal),
    ).toBe(0);
  });

  it('skips the night between two working days', () => {
    // Tuesday 16:00 → Wednesday 10:00: one hour before closing, one after opening.
    expect(
      openingMinutesBetween(at('2026-03-03', '16:00'), at('2026-03-04', '10:00'), hours, cal),
    ).toBe(120);
  });

  it('skips a weekend', () => {
    // Friday 6 March 16:00 → Monday 9 March 10:00.
    expect(
      openingMinutesBetween(at('2026-03-06', '16:00'), at('2026-03-09', '10:00'), hours, cal),
    ).toBe(120);
  });

  it('skips holidays and counts a make-up working day on a Saturday', () => {
    // Friday 13 Feb 16:00 → Tuesday 24 Feb 09:30: Friday 60, Saturday 14 Feb is a make-up working
    // day (480), 15–23 Feb is the Spring Festival, Tuesday 30.
    expect(
      openingMinutesBetween(at('2026-02-13', '16:00'), at('2026-02-24', '09:30'), hours, cal),
    ).toBe(570);
    // National Day week: 1–7 October are holidays; Thursday 8 and Friday 9 are worked, and so
    // is Saturday 10 October, a make-up day.
    expect(
      openingMinutesBetween(at('2026-09-30', '17:00'), at('2026-10-10', '10:00'), hours, cal),
    ).toBe(2 * 480 + 60);
  });

  it('follows a hall calendar that differs from the shipped one', () => {
    const hall = holidayCalendar({
      2026: { year: 2026, holidays: ['2026-03-04'], workdays: ['2026-03-07'], confirmed: true },
    });
    // Wednesday 4 March off, Saturday 7 March worked.
    expect(
      openingMinutesBetween(at('2026-03-03', '17:00'), at('2026-03-09', '09:00'), hours, hall),
    ).toBe(2 * 480 + 480);
  });

  it('is zero for an empty span, a reversed span or hours that close before they open', () => {
    expect(
      openingMinutesBetween(at('2026-03-03', '10:00'), at('2026-03-03', '10:00'), hours, cal),
    ).toBe(0);
    expect(
      openingMinutesBetween(at('2026-03-03', '11:00'), at('2026-03-03', '10:00'), hours, cal),
    ).toBe(0);
    expect(
      openingMinutesBetween(
        at('2026-03-03', '08:00'),
        at('2026-03-03', '18:00'),
        { open: '17:00', close: '09:00' },
        cal,
      ),
    ).toBe(0);
  });

  it('stops counting at the limit', () => {
    const minutes = openingMinutesBetween(
      at('2025-03-03', '09:00'),
      at('2026-03-03', '09:00'),
      hours,
      cal,
      120,
    );
    expect(minutes).toBeGreaterThanOrEqual(120);
    expect(minutes).toBeLessThanOrEqual(480);
  });
});

describe('fleetAlerts', () => {
  const settings = { openingHours: hours, silentEvaluatorMinutes: 120, calendar: cal };
  const device = (over: Partial<FleetDeviceFacts>): FleetDeviceFacts => ({
    id: 'd',
    role: 'evaluator',
    enrolledAt: iso('2026-03-02', '08:00'),
    lastSeenAt: null,
    lastRatingAt: null,
    revokedAt: null,
    ...over,
  });

  it('calls an evaluator silent after the configured minutes of opening hours', () => {
    const d = device({
      lastRatingAt: iso('2026-03-03', '16:00'),
      lastSeenAt: iso('2026-03-04', '10:00'),
    });
    // 16:00–17:00 and 09:00–10:00 are 120 minutes of opening hours.
    expect(fleetAlerts([d], settings, at('2026-03-04', '09:59'))).toEqual([]);
    expect(fleetAlerts([d], settings, at('2026-03-04', '10:00'))).toEqual([
      { deviceId: 'd', kind: 'silent_evaluator', since: d.lastRatingAt },
    ]);
  });

  it('counts from the enrollment when the evaluator never rated', () => {
    const d = device({ lastSeenAt: iso('2026-03-02', '11:00') });
    expect(fleetAlerts([d], settings, at('2026-03-02', '11:00'))).toEqual([
      { deviceId: 'd', kind: 'silent_evaluator', since: d.enrolledAt },
    ]);
  });

  it('does not call an evaluator silent over a weekend', () => {
    const d = device({
      lastRatingAt: iso('2026-03-06', '16:30'),
      lastSeenAt: iso('2026-03-08', '12:00'),
    });
    expect(fleetAlerts([d], settings, at('2026-03-08', '12:00'))).toEqual([]);
  });

  it('reports any device not seen for 24 hours, from its last contact or its enrollment', () => {
    const kiosk = device({ id: 'k', role: 'duty_kiosk', lastSeenAt: iso('2026-03-03', '10:00') });
    const fresh = device({
      id: 'f',
      role: 'inspection_tablet',
      enrolledAt: iso('2026-03-03', '10:00'),
    });
    expect(fleetAlerts([kiosk, fresh], settings, at('2026-03-04', '09:59'))).toEqual([]);
    expect(fleetAlerts([kiosk, fresh], settings, at('2026-03-04', '10:00'))).toEqual([
      { deviceId: 'k', kind: 'not_synced', since: kiosk.lastSeenAt },
      { deviceId: 'f', kind: 'not_synced', since: fresh.enrolledAt },
    ]);
  });

  it('never alerts about a revoked device, nor calls a kiosk silent', () => {
    const revoked = device({ revokedAt: iso('2026-03-02', '09:00') });
    const kiosk = device({ id: 'k', role: 'duty_kiosk', lastSeenAt: iso('2026-03-04', '09:00') });
    expect(fleetAlerts([revoked, kiosk], settings, at('2026-03-04', '10:00'))).toEqual([]);
  });

  it('lists a device both silent and out of contact with both alerts', () => {
    const d = device({
      lastRatingAt: iso('2026-03-02', '10:00'),
      lastSeenAt: iso('2026-03-02', '10:00'),
    });
    expect(fleetAlerts([d], settings, at('2026-03-04', '10:00')).map((a) => a.kind)).toEqual([
      'silent_evaluator',
      'not_synced',
    ]);
  });
});
