import { describe, expect, it } from 'vitest';
import {
  SHIPPED_HOLIDAYS,
  addWorkingDays,
  holidayCalendar,
  isWorkingDay,
  workingDaysBetween,
} from '../../src/domain/calendar';
import { CHECKLIST_GROUPS, validatePayload, type EventEnvelope } from '../../src/domain/events';
import { DEFAULT_CHECKLIST, checklistInOrder } from '../../src/domain/checklist';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { foldReference } from '../../src/domain/reference';
import { checkCounts, foldWalks } from '../../src/domain/walk';

const cal = holidayCalendar();

describe('working days', () => {
  it('knows weekends, 2026 holidays and make-up working days (调休)', () => {
    expect(isWorkingDay('2026-03-02', cal)).toBe(true); // Monday
    expect(isWorkingDay('2026-03-07', cal)).toBe(false); // Saturday
    expect(isWorkingDay('2026-10-01', cal)).toBe(false); // 国庆
    expect(isWorkingDay('2026-02-16', cal)).toBe(false); // 春节, a Monday
    expect(isWorkingDay('2026-02-14', cal)).toBe(true); // Saturday worked for 春节
    expect(isWorkingDay('2026-01-04', cal)).toBe(true); // Sunday worked for 元旦
  });

  it('adds working days across a holiday with make-up days', () => {
    expect(addWorkingDays('2026-04-30', 1, cal)).toBe('2026-05-06'); // 05-01..05 off
    expect(addWorkingDays('2026-05-06', 3, cal)).toBe('2026-05-09'); // Saturday 05-09 is worked
    expect(addWorkingDays('2026-03-06', 1, cal)).toBe('2026-03-09'); // Friday → Monday
    expect(addWorkingDays('2026-03-06', 0, cal)).toBe('2026-03-06');
    expect(() => addWorkingDays('2026-02-30', 1, cal)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-03-06', -1, cal)).toThrow(RangeError);
  });

  it('counts working days to a deadline, negative once past', () => {
    expect(workingDaysBetween('2026-09-30', '2026-10-09', cal)).toBe(2);
    expect(workingDaysBetween('2026-10-09', '2026-09-30', cal)).toBe(-2);
    expect(workingDaysBetween('2026-03-02', '2026-03-02', cal)).toBe(0);
    // Round trip: n working days later is n working days away.
    for (const n of [1, 5, 15, 30]) {
      const due = addWorkingDays('2026-09-25', n, cal);
      expect(workingDaysBetween('2026-09-25', due, cal)).toBe(n);
    }
  });

  it('ships 2026 as confirmed and 2027 with the statutory days only, to be confirmed', () => {
    expect(SHIPPED_HOLIDAYS.map((y) => [y.year, y.confirmed])).toEqual([
      [2026, true],
      [2027, false],
    ]);
    for (const y of SHIPPED_HOLIDAYS) expect(validatePayload('ref.holidaysSaved', y).ok).toBe(true);
  });

  it("lets a hall's own year replace the shipped one", () => {
    const at = Date.parse('2026-11-20T02:00:00Z');
    const saved: EventEnvelope = {
      v: 1,
      id: newId(),
      type: 'ref.holidaysSaved',
      hallId: newId(),
      deviceId: newId(),
      deviceSeq: 1,
      prevHash: null,
      actorId: null,
      at: new Date(at).toISOString(),
      hlc: formatHlc({ millis: at, counter: 0, node: hlcNode('x') }),
      payload: {
        year: 2027,
        holidays: ['2027-01-01', '2027-01-02', '2027-01-03'],
        workdays: ['2027-01-09'],
        confirmed: true,
      },
    };
    const ref = foldReference([saved]);
    const hallCal = holidayCalendar(ref.holidays);
    expect(isWorkingDay('2027-01-09', hallCal)).toBe(true); // a Saturday, worked
    expect(isWorkingDay('2027-01-09', cal)).toBe(false);
    expect(isWorkingDay('2027-02-08', hallCal)).toBe(true); // the hall's year replaced ours
    expect(hallCal[2026]).toBe(cal[2026]);
  });

  it('refuses a holiday year with dates outside it or a date both off and worked', () => {
    const bad = validatePayload('ref.holidaysSaved', {
      year: 2027,
      holidays: ['2026-12-31'],
      workdays: [],
      confirmed: true,
    });
    expect(bad.ok ? [] : bad.issues.map((i) => i.code)).toEqual(['date_outside_year']);
    const both = validatePayload('ref.holidaysSaved', {
      year: 2027,
      holidays: ['2027-01-01'],
      workdays: ['2027-01-01'],
      confirmed: true,
    });
    expect(both.ok ? [] : both.issues.map((i) => i.code)).toEqual(['holiday_and_workday']);
  });
});

describe('the walk checklist', () => {
  it('covers every group the halls check, each item valid', () => {
    expect(new Set(DEFAULT_CHECKLIST.map((i) => i.group))).toEqual(new Set(CHECKLIST_GROUPS));
    DEFAULT_CHECKLIST.forEach((item, i) => {
      const ok = validatePayload('ref.checklistItemSaved', {
        itemId: newId(),
        ...item,
        sort: i * 10,
        active: true,
      }).ok;
      expect(ok, item.text).toBe(true);
    });
  });

  it('orders by group then sort and keeps retired items only when asked', () => {
    const version = { hlc: 'x', id: newId() };
    const a = {
      id: newId(),
      group: 'service' as const,
      text: '大厅秩序',
      sort: 20,
      active: true,
      version,
    };
    const b = {
      id: newId(),
      group: 'experience' as const,
      text: '窗口服务体验',
      sort: 50,
      active: true,
      version,
    };
    const c = {
      id: newId(),
      group: 'service' as const,
      text: '咨询电话',
      sort: 10,
      active: false,
      version,
    };
    const items = { [a.id]: a, [b.id]: b, [c.id]: c };
    expect(checklistInOrder(items, CHECKLIST_GROUPS).map((i) => i.text)).toEqual([
      '窗口服务体验',
      '大厅秩序',
    ]);
    expect(checklistInOrder(items, CHECKLIST_GROUPS, true).map((i) => i.text)).toEqual([
      '窗口服务体验',
      '咨询电话',
      '大厅秩序',
    ]);
  });
});

describe('walks', () => {
  const deviceId = newId();
  const walkId = newId();
  const item = newId();
  let counter = 0;
  const ev = (type: string, payload: object, ms: number): EventEnvelope =>
    ({
      v: 1,
      id: newId(),
      type,
      hallId: newId(),
      deviceId,
      deviceSeq: ++counter,
      prevHash: null,
      actorId: null,
      at: new Date(ms).toISOString(),
      hlc: formatHlc({ millis: ms, counter: 0, node: hlcNode(deviceId) }),
      payload,
    }) as EventEnvelope;
  const started = ev(
    'walk.started',
    {
      walkId,
      mode: 'unannounced',
      leaderId: newId(),
      departmentId: newId(),
      windowId: null,
      serviceItem: '不动产登记',
      pinVersion: 1,
      pinProof: 'c'.repeat(64),
    },
    1_000,
  );

  it('folds marks last-writer-wins and the first ending, in any order', () => {
    const events = [
      ev('walk.checked', { walkId, itemId: item, result: 'problem', note: '指南看不懂' }, 3_000),
      ev('walk.ended', { walkId, summary: '发现两处问题' }, 5_000),
      ev('walk.checked', { walkId, itemId: item, result: 'fine', note: '' }, 2_000),
      started,
      ev('walk.checked', { walkId, itemId: newId(), result: 'na', note: '' }, 4_000),
      ev('walk.ended', { walkId, summary: '重复结束' }, 6_000),
    ];
    const forward = foldWalks(events)[walkId]!;
    const backward = foldWalks([...events].reverse())[walkId]!;
    expect(forward).toEqual(backward);
    expect(forward.checks[item]).toMatchObject({ result: 'problem', note: '指南看不懂' });
    expect(forward.summary).toBe('发现两处问题');
    expect(forward.endedAt).not.toBeNull();
    expect(checkCounts(forward)).toEqual({ fine: 0, problem: 1, na: 1 });
  });

  it('is under way until ended, and waits for its start', () => {
    const mark = ev('walk.checked', { walkId, itemId: item, result: 'fine', note: '' }, 2_000);
    expect(foldWalks([mark])).toEqual({});
    expect(foldWalks([started, mark])[walkId]!.endedAt).toBeNull();
  });
});
