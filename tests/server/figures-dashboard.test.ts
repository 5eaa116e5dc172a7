import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResponse, RankingResponse } from '../../src/sync/report-protocol';
import { backends } from '../support/databases';
import { FiguresHall, local } from './figures-support';

const DIRECTOR = '税务局局长';
const HRSS_DIRECTOR = '人力资源和社会保障局局长';

/** Rating figures written out: total, good, poor, 好评率 as a fraction, average score. */
const rf = (total: number, good: number, poor: number, averageScore: number | null) => ({
  total,
  good,
  poor,
  goodRate: total > 0 ? good / total : null,
  averageScore,
});
const none = rf(0, 0, 0, null);

/**
 * The fixed hall, in hall-local time (UTC+8). Period 2026-03-02 (Mon) … 03-15 (Sun).
 *
 * 税务 (TAX, windows A01/A02): 12 ratings in the period — 非常满意 ×4, 满意 ×3, 基本满意 ×2,
 * 不满意 ×2, 非常不满意 ×1 — plus a 非常不满意 on 03-01. 人社 (HRSS, B01): 5 in the period —
 * 非常满意 ×2, 满意, 基本满意, 非常不满意 — plus a 满意 on 03-16. February: TAX 2 × 非常满意,
 * HRSS 非常满意 and 基本满意.
 *
 * Duty: TAX director shifts 03-02 09–11 (signed in 09:05–10:50), 03-03 14–16 (14:30–15:30, late),
 * 03-04 09–11 (missed); HRSS director 03-05 09–10 (08:55–10:05).
 *
 * Problems recorded in the period: TAX — 差评 #3 (rectified in 3.0 days, called back), #5
 * (untouched, overdue), #8 (rectified in 1.0 day, called back, verified), walk W1 (rectified in
 * 7.0 days, verified), walk W2 (untouched, overdue), duty D1 (untouched, overdue); HRSS — 差评
 * #15 (set aside on appeal: closed), walk W3 (closed as not a problem).
 */
describe.each(backends)('dashboard and ranking figures on $name', ({ name }) => {
  let f: FiguresHall;
  let tax: string;
  let hrss: string;

  beforeAll(async () => {
    f = await FiguresHall.open(name, '2026-02-01 08:00');
    const hall = f.hall;
    tax = f.department('TAX').id;
    hrss = f.department('HRSS').id;
    await hall.withPins(DIRECTOR, HRSS_DIRECTOR);
    // Satisfaction 50, attendance 30, rectification 20; timeliness left out.
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: {
        rankingWeights: { satisfaction: 50, attendance: 30, rectification: 20, timeliness: 0 },
      },
    });
    await f.shift(DIRECTOR, '2026-03-02', '09:00', '11:00');
    await f.shift(DIRECTOR, '2026-03-03', '14:00', '16:00');
    await f.shift(DIRECTOR, '2026-03-04', '09:00', '11:00');
    await f.shift(HRSS_DIRECTOR, '2026-03-05', '09:00', '10:00');

    // February.
    await f.rate('A01', '2026-02-10 10:00', 'very_satisfied');
    await f.rate('B01', '2026-02-10 11:00', 'very_satisfied');
    await f.rate('A01', '2026-02-11 10:00', 'very_satisfied');
    await f.rate('B01', '2026-02-12 11:00', 'basically_satisfied');

    // March, in order of time.
    await f.rate('A01', '2026-03-01 10:00', 'very_dissatisfied', ['attitude']);
    const s1 = await f.signIn(DIRECTOR, '2026-03-02 09:05');
    await f.rate('A01', '2026-03-02 09:10', 'very_satisfied');
    await f.rate('B01', '2026-03-02 09:15', 'very_satisfied');
    await f.rate('A01', '2026-03-02 09:40', 'satisfied');
    await f.dutyItem('TAX', '2026-03-02 10:00');
    const r3 = await f.rate(
      'A02',
      '2026-03-02 10:20',
      'very_dissatisfied',
      ['waited_too_long', 'attitude'],
      '等了两个小时',
    );
    await f.signOut(s1, '2026-03-02 10:50');
    await f.rate('B01', '2026-03-02 15:30', 'satisfied');
    await f.rate('A01', '2026-03-03 09:30', 'basically_satisfied');
    const w1 = await f.finding(DIRECTOR, '2026-03-03 10:00');
    await f.rate('A02', '2026-03-03 14:15', 'dissatisfied', ['waited_too_long']);
    const s2 = await f.signIn(DIRECTOR, '2026-03-03 14:30');
    await f.rate('A01', '2026-03-03 14:50', 'very_satisfied');
    await f.signOut(s2, '2026-03-03 15:30');
    const w3 = await f.finding(HRSS_DIRECTOR, '2026-03-04 09:00');
    await f.rate('A01', '2026-03-04 10:05', 'satisfied');
    const r15 = await f.rate('B01', '2026-03-04 10:45', 'very_dissatisfied', [
      'had_to_come_back',
      'other',
    ]);
    await f.step(r3, '2026-03-04 11:00', 'problem.calledBack', {
      reached: true,
      satisfied: true,
      note: '',
    });
    await f.step(w3, '2026-03-04 11:30', 'problem.statusChanged', {
      from: 'found',
      to: 'closed',
      note: '标识已在当日更换，不构成问题',
      photos: [],
    });
    await f.step(r15, '2026-03-04 12:00', 'problem.prechecked', {
      from: 'found',
      verdict: 'malicious',
      note: '与办件记录不符',
    });
    await f.step(r15, '2026-03-04 12:10', 'problem.reviewed', {
      from: 'appealing',
      upheld: true,
      note: '申诉成立',
    });
    const s3 = await f.signIn(HRSS_DIRECTOR, '2026-03-05 08:55');
    await f.rate('B01', '2026-03-05 09:05', 'very_satisfied');
    await f.signOut(s3, '2026-03-05 10:05');
    await f.rectify(r3, 'TAX', '2026-03-05 10:20');
    const r8 = await f.rate(
      'A02',
      '2026-03-05 16:30',
      'dissatisfied',
      ['too_many_documents'],
      '材料清单不一致',
    );
    await f.finding(DIRECTOR, '2026-03-06 09:00');
    await f.rectify(r8, 'TAX', '2026-03-06 16:30');
    await f.step(r8, '2026-03-06 17:00', 'problem.calledBack', {
      reached: true,
      satisfied: true,
      note: '',
    });
    await f.verify(r8, '2026-03-07 10:00');
    await f.rate('A01', '2026-03-09 09:20', 'very_satisfied');
    await f.rate('A02', '2026-03-09 09:45', 'very_satisfied');
    await f.rectify(w1, 'TAX', '2026-03-10 10:00');
    await f.verify(w1, '2026-03-10 11:00');
    await f.rate('A01', '2026-03-13 11:00', 'satisfied');
    await f.rate('B01', '2026-03-13 16:10', 'basically_satisfied');
    await f.rate('A01', '2026-03-15 10:30', 'basically_satisfied');
    await f.rate('B01', '2026-03-16 09:00', 'satisfied');

    // The server's clock for every figure: Friday 2026-04-10, noon.
    f.at('2026-04-10 12:00');
  }, 120_000);
  afterAll(() => f.close());

  const dashboard = (query: string) => f.get<DashboardResponse>(`/api/v1/admin/dashboard${query}`);

  it('counts the hall’s ratings of the period: 好评率, levels, average, hours and weekdays', async () => {
    const d = await dashboard('?from=2026-03-02&to=2026-03-15');
    expect(d.period).toEqual({ from: '2026-03-02', to: '2026-03-15' });
    expect(d.department).toBeNull();
    expect(d.grain).toBe('day');
    // 非常满意 6 × 5 + 满意 4 × 4 + 基本满意 3 × 3 + 不满意 2 × 2 + 非常不满意 2 × 1 = 61 over 17.
    expect(d.ratings).toEqual({
      ...rf(17, 10, 4, 3.59),
      byLevel: {
        very_satisfied: 6,
        satisfied: 4,
        basically_satisfied: 3,
        dissatisfied: 2,
        very_dissatisfied: 2,
      },
    });
    const hours = Object.fromEntries(d.byHour.map(({ hour, ...x }) => [hour, x]));
    expect(d.byHour.map((h) => h.hour)).toEqual([...Array(24).keys()]);
    expect(hours[8]).toEqual(none);
    expect(hours[9]).toEqual(rf(7, 6, 0, 4.57)); // 5+4+3+5+5+5+5 = 32 / 7
    expect(hours[10]).toEqual(rf(4, 1, 2, 2.25)); // 1+4+3+1
    expect(hours[11]).toEqual(rf(1, 1, 0, 4));
    expect(hours[14]).toEqual(rf(2, 1, 1, 3.5));
    expect(hours[15]).toEqual(rf(1, 1, 0, 4));
    expect(hours[16]).toEqual(rf(2, 0, 1, 2.5));
    expect(d.byHour.reduce((n, h) => n + h.total, 0)).toBe(17);
    expect(d.byWeekday).toEqual([
      { weekday: 1, ...rf(7, 6, 1, 4.14) }, // 5+4+1+5+5+5+4 = 29 / 7
      { weekday: 2, ...rf(3, 1, 1, 3.33) },
      { weekday: 3, ...rf(2, 1, 1, 2.5) },
      { weekday: 4, ...rf(2, 1, 1, 3.5) },
      { weekday: 5, ...rf(2, 1, 0, 3.5) },
      { weekday: 6, ...none },
      { weekday: 7, ...rf(1, 0, 0, 3) },
    ]);
  });

  it('draws the trend by day with empty days, by week from Mondays, and by month', async () => {
    const byDay = await dashboard('?from=2026-03-02&to=2026-03-15');
    expect(byDay.trend.map((t) => [t.bucket, t.total])).toEqual([
      ['2026-03-02', 5],
      ['2026-03-03', 3],
      ['2026-03-04', 2],
      ['2026-03-05', 2],
      ['2026-03-06', 0],
      ['2026-03-07', 0],
      ['2026-03-08', 0],
      ['2026-03-09', 2],
      ['2026-03-10', 0],
      ['2026-03-11', 0],
      ['2026-03-12', 0],
      ['2026-03-13', 2],
      ['2026-03-14', 0],
      ['2026-03-15', 1],
    ]);
    expect(byDay.trend[0]).toEqual({ bucket: '2026-03-02', ...rf(5, 4, 1, 3.8) });
    expect(byDay.trend[4]).toEqual({ bucket: '2026-03-06', ...none });

    const byWeek = await dashboard('?from=2026-03-04&to=2026-03-16&grain=week');
    expect(byWeek.grain).toBe('week');
    // Weeks are labelled by their Monday, the first one before the period starts.
    expect(byWeek.trend.map((t) => [t.bucket, t.total, t.good])).toEqual([
      ['2026-03-02', 4, 2],
      ['2026-03-09', 5, 3],
      ['2026-03-16', 1, 1],
    ]);

    const byMonth = await dashboard('?from=2026-02-01&to=2026-04-30&grain=month');
    expect(byMonth.trend.map((t) => [t.bucket, t.total, t.good])).toEqual([
      ['2026-02', 4, 3],
      ['2026-03', 19, 11],
      ['2026-04', 0, 0],
    ]);
    // Over 62 days the trend is drawn by week unless asked.
    expect((await dashboard('?from=2026-01-01&to=2026-03-31')).grain).toBe('week');
  });

  it('lists 差评 reasons, comments and their follow-up', async () => {
    const d = await dashboard('?from=2026-03-02&to=2026-03-15');
    expect(d.reasons).toEqual([
      { reason: 'waited_too_long', count: 2 },
      { reason: 'too_many_documents', count: 1 },
      { reason: 'had_to_come_back', count: 1 },
      { reason: 'attitude', count: 1 },
      { reason: 'other', count: 1 },
      { reason: 'unclear_guidance', count: 0 },
      { reason: 'system_down', count: 0 },
    ]);
    expect(d.poorWithComment).toBe(2);
    expect(d.poorFollowUp).toEqual({
      byStatus: {
        found: 1,
        appealing: 0,
        assigned: 0,
        rectifying: 0,
        rectified: 1,
        verified: 1,
        closed: 1,
      },
      overdue: 1,
      calledBack: 2,
    });
  });

  it('counts duty attendance of the hall and of a department', async () => {
    const hall = await dashboard('?from=2026-03-02&to=2026-03-15');
    // 105 + 60 + 70 minutes on duty.
    expect(hall.duty).toEqual({
      scheduled: 4,
      attended: 3,
      late: 1,
      missed: 1,
      upcoming: 0,
      unscheduled: 0,
      autoSignedOut: 0,
      hours: 3.9,
      served: 0,
      cases: 0,
      solved: 0,
      complaints: 0,
      suggestions: 0,
      attendanceRate: 0.75,
    });
    const taxOnly = await dashboard(`?from=2026-03-02&to=2026-03-15&department=${tax}`);
    expect(taxOnly.duty).toMatchObject({
      scheduled: 3,
      attended: 2,
      late: 1,
      missed: 1,
      hours: 2.8,
      attendanceRate: 2 / 3,
    });
  });

  it('counts problems found, rectified, overdue and closed, 整改率 and median days', async () => {
    const d = await dashboard('?from=2026-03-02&to=2026-03-15');
    const { bySource, ...all } = d.problems;
    expect(all).toEqual({
      found: 8,
      rectified: 3,
      overdue: 3,
      closed: 2,
      rectificationRate: 0.5,
      medianDaysToRectify: 3,
    });
    expect(bySource).toEqual({
      rating: {
        found: 4,
        rectified: 2,
        overdue: 1,
        closed: 1,
        rectificationRate: 2 / 3,
        medianDaysToRectify: 2,
      },
      walk: {
        found: 3,
        rectified: 1,
        overdue: 1,
        closed: 1,
        rectificationRate: 0.5,
        medianDaysToRectify: 7,
      },
      duty: {
        found: 1,
        rectified: 0,
        overdue: 1,
        closed: 0,
        rectificationRate: 0,
        medianDaysToRectify: null,
      },
    });
  });

  it('lists every active department with its ratings and problems', async () => {
    const d = await dashboard('?from=2026-03-02&to=2026-03-15');
    expect(d.departments).toHaveLength(8);
    const row = (id: string) => d.departments.find((x) => x.id === id)!;
    expect(row(tax)).toEqual({
      id: tax,
      name: '税务',
      nameEn: 'Taxation',
      ...rf(12, 7, 3, 3.58), // 43 / 12
      problems: {
        found: 6,
        rectified: 3,
        overdue: 3,
        closed: 0,
        rectificationRate: 0.5,
        medianDaysToRectify: 3,
      },
    });
    expect(row(hrss)).toMatchObject({
      ...rf(5, 3, 1, 3.6),
      problems: {
        found: 2,
        rectified: 0,
        overdue: 0,
        closed: 2,
        rectificationRate: null,
        medianDaysToRectify: null,
      },
    });
    expect(row(f.department('MED').id)).toMatchObject(none);
  });

  it('sets ratings in hours with a leader on duty against the others', async () => {
    const d = await dashboard('?from=2026-03-02&to=2026-03-15');
    expect(d.dutyEffect).toEqual([
      {
        department: { id: tax, name: '税务', nameEn: 'Taxation' },
        // 03-02 09 and 10 o'clock, 03-03 14 and 15 o'clock: 5 + 4 + 1 + 2 + 5 = 17 over 5.
        onDuty: { ...rf(5, 3, 2, 3.4), hours: 4 },
        // 3 + 4 + 2 + 5 + 5 + 4 + 3 = 26 over 7, in 6 distinct hours.
        offDuty: { ...rf(7, 4, 1, 3.71), hours: 6 },
      },
      {
        department: {
          id: hrss,
          name: '人社',
          nameEn: 'Human Resources and Social Security',
        },
        // 03-05 08, 09 and 10 o'clock.
        onDuty: { ...rf(1, 1, 0, 5), hours: 3 },
        offDuty: { ...rf(4, 2, 1, 3.25), hours: 4 },
      },
    ]);
  });

  it('says how each window did', async () => {
    const d = await dashboard('?from=2026-03-02&to=2026-03-15');
    const row = (code: string) => d.windows.find((w) => w.code === code)!;
    // A01: 非常满意 ×3, 满意 ×3, 基本满意 ×2 (33 / 8); A02: 非常满意, 不满意 ×2, 非常不满意 (10 / 4).
    expect(row('A01')).toMatchObject({ departmentId: tax, ...rf(8, 6, 0, 4.13) });
    expect(row('A02')).toMatchObject({ departmentId: tax, ...rf(4, 1, 3, 2.5) });
    expect(row('B01')).toMatchObject({ departmentId: hrss, ...rf(5, 3, 1, 3.6) });
    const others = d.windows.filter((w) => !['A01', 'A02', 'B01'].includes(w.code));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((w) => w.total === 0 && w.averageScore === null)).toBe(true);
    expect(d.windows.reduce((n, w) => n + w.total, 0)).toBe(d.ratings.total);
  });

  it('narrows every figure to one department', async () => {
    const d = await dashboard(`?from=2026-03-02&to=2026-03-15&department=${tax}`);
    expect(d.department).toEqual({ id: tax, name: '税务', nameEn: 'Taxation' });
    expect(d.ratings).toEqual({
      ...rf(12, 7, 3, 3.58),
      byLevel: {
        very_satisfied: 4,
        satisfied: 3,
        basically_satisfied: 2,
        dissatisfied: 2,
        very_dissatisfied: 1,
      },
    });
    expect(d.reasons.slice(0, 3)).toEqual([
      { reason: 'waited_too_long', count: 2 },
      { reason: 'too_many_documents', count: 1 },
      { reason: 'attitude', count: 1 },
    ]);
    expect(d.poorWithComment).toBe(2);
    expect(d.poorFollowUp.byStatus).toMatchObject({
      found: 1,
      rectified: 1,
      verified: 1,
      closed: 0,
    });
    expect(d.problems).toMatchObject({ found: 6, rectified: 3, overdue: 3, closed: 0 });
    expect(d.departments.map((x) => x.id)).toEqual([tax]);
    expect(d.windows.every((w) => w.departmentId === tax)).toBe(true);
    expect(d.windows.map((w) => w.code)).toEqual(expect.arrayContaining(['A01', 'A02']));
    expect(d.windows.reduce((n, w) => n + w.total, 0)).toBe(12);
    expect(d.dutyEffect.map((x) => x.department.id)).toEqual([tax]);
    expect(d.byHour[9]).toEqual({ hour: 9, ...rf(5, 4, 0, 4.4) }); // 5+4+3+5+5
  });

  it('ranks departments by the weighted components, against last month', async () => {
    const r = await f.get<RankingResponse>('/api/v1/admin/ranking?month=2026-03');
    expect(r.month).toBe('2026-03');
    expect(r.weights).toEqual({
      satisfaction: 50,
      attendance: 30,
      rectification: 20,
      timeliness: 0,
    });
    expect(r.rows).toHaveLength(8);
    const [first, second, ...rest] = r.rows;
    // 人社: 4 good of 6 ratings, 1 of 1 shift; nothing to rectify, so weights 50 + 30 count.
    expect(first).toEqual({
      department: {
        id: hrss,
        code: 'HRSS',
        name: '人社',
        nameEn: 'Human Resources and Social Security',
      },
      rank: 1,
      score: 79.2,
      components: {
        satisfaction: {
          value: 66.7,
          weight: 50,
          points: 41.7,
          basis: { numerator: 4, denominator: 6 },
        },
        attendance: {
          value: 100,
          weight: 30,
          points: 37.5,
          basis: { numerator: 1, denominator: 1 },
        },
        rectification: {
          value: null,
          weight: 20,
          points: null,
          basis: { numerator: 0, denominator: 0 },
        },
        timeliness: {
          value: null,
          weight: 0,
          points: null,
          basis: { numerator: 0, denominator: 0 },
        },
      },
      previous: { rank: 2, score: 50 },
      change: 1,
    });
    // 税务: 7 good of 13 ratings (03-01 counts), 2 of 3 shifts, 3 of 7 problems rectified; of
    // the 7 rectified or overdue, 3 in time — shown, but its weight is 0.
    expect(second).toEqual({
      department: { id: tax, code: 'TAX', name: '税务', nameEn: 'Taxation' },
      rank: 2,
      score: 55.5,
      components: {
        satisfaction: {
          value: 53.8,
          weight: 50,
          points: 26.9,
          basis: { numerator: 7, denominator: 13 },
        },
        attendance: {
          value: 66.7,
          weight: 30,
          points: 20,
          basis: { numerator: 2, denominator: 3 },
        },
        rectification: {
          value: 42.9,
          weight: 20,
          points: 8.6,
          basis: { numerator: 3, denominator: 7 },
        },
        timeliness: {
          value: 42.9,
          weight: 0,
          points: null,
          basis: { numerator: 3, denominator: 7 },
        },
      },
      previous: { rank: 1, score: 100 },
      change: -1,
    });
    for (const row of rest) {
      expect(row).toMatchObject({ rank: null, score: null, previous: null, change: null });
    }
  });

  it('refuses a bad period, an unknown grain or department, and a missing month', async () => {
    const bad = async (url: string, status: number, code: string) => {
      const res = await f.hall.admin.get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.json()).toMatchObject({ error: code, message: expect.any(String) });
    };
    await bad('/api/v1/admin/dashboard?to=2026-03-15', 400, 'invalid_query');
    await bad('/api/v1/admin/dashboard?from=2026-02-30&to=2026-03-15', 400, 'invalid_query');
    await bad('/api/v1/admin/dashboard?from=2026-03-15&to=2026-03-02', 400, 'invalid_query');
    await bad('/api/v1/admin/dashboard?from=2025-01-01&to=2026-02-05', 400, 'invalid_query');
    await bad(
      '/api/v1/admin/dashboard?from=2026-03-02&to=2026-03-15&grain=hour',
      400,
      'invalid_query',
    );
    await bad(
      '/api/v1/admin/dashboard?from=2026-03-02&to=2026-03-15&department=nobody',
      404,
      'unknown_department',
    );
    await bad('/api/v1/admin/ranking', 400, 'invalid_query');
    await bad('/api/v1/admin/ranking?month=2026-13', 400, 'invalid_query');
    // 400 days exactly is allowed.
    const longest = await dashboard('?from=2025-02-05&to=2026-03-11');
    expect(longest.grain).toBe('week');

    for (const url of [
      '/api/v1/admin/dashboard?from=2026-03-02&to=2026-03-15',
      '/api/v1/admin/ranking?month=2026-03',
    ]) {
      const res = await f.server.app.inject({ url });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('counts what arrives later in the figures of the same period', async () => {
    const before = await dashboard('?from=2026-03-14&to=2026-03-14');
    expect(before.ratings.total).toBe(0);
    await f.rate('A01', '2026-03-14 11:20', 'very_satisfied');
    f.at('2026-04-10 12:00');
    const after = await dashboard('?from=2026-03-14&to=2026-03-14');
    expect(after.ratings).toMatchObject(rf(1, 1, 0, 5));
    expect(after.byHour[11]).toEqual({ hour: 11, ...rf(1, 1, 0, 5) });
    expect(local('2026-03-14 11:20')).toBe(Date.parse('2026-03-14T03:20:00Z'));
  });
});
