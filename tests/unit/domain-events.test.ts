import { describe, expect, it } from 'vitest';
import { EMPTY_HEAD, appendToLog, eventHash, mayWrite } from '../../src/domain/device';
import {
  EVENT_TYPES,
  validateEvent,
  validatePayload,
  type RatingSubmitted,
} from '../../src/domain/events';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { DEFAULT_SETTINGS, foldReference } from '../../src/domain/reference';

const hallId = newId();
const deviceId = newId();
const windowId = newId();
const departmentId = newId();
let tick = 0;
const hlc = () =>
  formatHlc({ millis: Date.UTC(2026, 10, 21, 9), counter: tick++, node: hlcNode(deviceId) });

function rating(overrides: Partial<RatingSubmitted> = {}): RatingSubmitted {
  return {
    windowId,
    departmentId,
    level: 'satisfied',
    reasons: [],
    comment: '',
    ticket: null,
    channel: 'hall_tablet',
    phoneId: null,
    dutySessionId: null,
    ...overrides,
  };
}

function ratingEvent(payload: unknown, head = EMPTY_HEAD) {
  return appendToLog(head, {
    type: 'rating.submitted',
    payload: payload as RatingSubmitted,
    hallId,
    deviceId,
    at: new Date().toISOString(),
    hlc: hlc(),
  }).event;
}

function codes(input: unknown): string[] {
  const result = validateEvent(input);
  return result.ok ? [] : result.issues.map((i) => i.code);
}

describe('event validation', () => {
  it('accepts a good rating and a poor one with a reason or a comment', () => {
    expect(validateEvent(ratingEvent(rating())).ok).toBe(true);
    expect(
      validateEvent(ratingEvent(rating({ level: 'dissatisfied', reasons: ['attitude'] }))).ok,
    ).toBe(true);
    expect(
      validateEvent(ratingEvent(rating({ level: 'very_dissatisfied', comment: '排队太久' }))).ok,
    ).toBe(true);
  });

  it('requires a reason or a written comment on a 差评', () => {
    const result = validateEvent(ratingEvent(rating({ level: 'dissatisfied', comment: '   ' })));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]!.code).toBe('poor_rating_needs_reason');
      expect(result.issues[0]!.message).toMatch(/poor rating needs a ticked reason/);
    }
  });

  it('refuses reasons on a good rating', () => {
    expect(codes(ratingEvent(rating({ reasons: ['attitude'] })))).toEqual([
      'reasons_only_for_poor_rating',
    ]);
  });

  it('never accepts a bare number as a level', () => {
    const result = validateEvent(ratingEvent(rating({ level: 1 as never })));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.path).toBe('payload.level');
  });

  it('names the field at fault in readable words', () => {
    const result = validateEvent(ratingEvent(rating({ comment: 'x'.repeat(501) })));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]!.message).toBe('payload.comment: must be at most 500 characters');
  });

  it('refuses unknown reasons, channels, extra fields and unknown event types', () => {
    expect(
      codes(ratingEvent(rating({ level: 'dissatisfied', reasons: ['bored' as never] }))),
    ).not.toEqual([]);
    expect(codes(ratingEvent(rating({ channel: 'fax' as never })))).not.toEqual([]);
    expect(codes(ratingEvent({ ...rating(), extra: 1 }))).not.toEqual([]);
    expect(codes({ ...ratingEvent(rating()), type: 'rating.deleted' })).toEqual([
      'unknown_event_type',
    ]);
  });

  it('checks the envelope: ids, sequence, times, hlc, chain start', () => {
    const good = ratingEvent(rating());
    expect(codes({ ...good, id: 'not-an-id' })).toEqual(['invalid_custom']);
    expect(codes({ ...good, deviceSeq: 0 })).not.toEqual([]);
    expect(codes({ ...good, deviceSeq: 1.5 })).not.toEqual([]);
    expect(codes({ ...good, at: 'yesterday' })).not.toEqual([]);
    expect(codes({ ...good, hlc: '12' })).not.toEqual([]);
    expect(codes({ ...good, prevHash: 'a'.repeat(64) })).toEqual(['invalid_chain']);
    expect(codes({ ...good, v: 2 })).not.toEqual([]);
    const { payload: _payload, ...noPayload } = good;
    expect(validateEvent(noPayload).ok).toBe(false);
    for (const junk of [null, 42, 'event', [], {}]) expect(validateEvent(junk).ok).toBe(false);
  });

  it('chains a device log: gap-free sequence numbers, each prevHash the hash of the one before', () => {
    let head = EMPTY_HEAD;
    const events = [];
    for (let i = 0; i < 5; i++) {
      const next = appendToLog(head, {
        type: 'rating.submitted',
        payload: rating(),
        hallId,
        deviceId,
        at: new Date().toISOString(),
        hlc: hlc(),
      });
      events.push(next.event);
      head = next.head;
    }
    expect(events.map((e) => e.deviceSeq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0]!.prevHash).toBeNull();
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.prevHash).toBe(eventHash(events[i - 1]!));
    expect(head.hash).toBe(eventHash(events[4]!));
    // Any change to an earlier event breaks the chain.
    expect(eventHash({ ...events[0]!, at: '2000-01-01T00:00:00.000Z' })).not.toBe(
      events[1]!.prevHash,
    );
  });

  it('says in words what is wrong with ranking weights and opening hours', () => {
    const none = validatePayload('ref.settingsSaved', {
      rankingWeights: { satisfaction: 0, attendance: 0, rectification: 0, timeliness: 0 },
    });
    expect(none.ok ? [] : none.issues.map((i) => [i.code, i.message])).toEqual([
      [
        'at_least_one_weight',
        'payload.rankingWeights: at least one ranking weight must be above zero',
      ],
    ]);
    const backwards = validatePayload('ref.settingsSaved', {
      openingHours: { open: '17:00', close: '09:00' },
    });
    expect(backwards.ok ? [] : backwards.issues.map((i) => i.code)).toEqual(['open_before_close']);
    expect(
      validatePayload('ref.settingsSaved', {
        rankingWeights: { satisfaction: 100, attendance: 0, rectification: 0, timeliness: 0 },
        openingHours: { open: '08:30', close: '17:30' },
        silentEvaluatorMinutes: 90,
      }).ok,
    ).toBe(true);
  });

  it('gives each writer only its own event types', () => {
    expect(mayWrite('evaluator', 'rating.submitted')).toBe(true);
    expect(mayWrite('evaluator', 'ref.windowSaved')).toBe(false);
    expect(mayWrite('phone', 'rating.submitted')).toBe(true);
    expect(mayWrite('console', 'ref.windowSaved')).toBe(true);
    expect(mayWrite('console', 'rating.submitted')).toBe(false);
    expect(
      EVENT_TYPES.filter((t) => t.startsWith('ref.')).every((t) => mayWrite('console', t)),
    ).toBe(true);
  });
});

describe('reference fold', () => {
  function refEvent(type: string, payload: unknown, millis: number) {
    return {
      ...appendToLog(EMPTY_HEAD, {
        type: type as 'ref.windowSaved',
        payload: payload as never,
        hallId,
        deviceId,
        at: new Date(millis).toISOString(),
        hlc: formatHlc({ millis, counter: 0, node: hlcNode(deviceId) }),
      }).event,
    };
  }

  it('keeps the latest version of each entity whatever order the events arrive in', () => {
    const w = { windowId, departmentId, code: 'A01', sort: 1, active: true };
    const older = refEvent('ref.windowSaved', { ...w, name: 'A01 窗口' }, 1_000);
    const newer = refEvent('ref.windowSaved', { ...w, name: 'A01 综合窗口' }, 2_000);
    expect(foldReference([older, newer]).windows[windowId]!.name).toBe('A01 综合窗口');
    expect(foldReference([newer, older]).windows[windowId]!.name).toBe('A01 综合窗口');
  });

  it('merges settings field by field with defaults for the rest', () => {
    const a = refEvent('ref.settingsSaved', { phoneRatingIntervalMinutes: 5 }, 1_000);
    const b = refEvent('ref.settingsSaved', { kioskIdleSeconds: 60 }, 2_000);
    const c = refEvent('ref.settingsSaved', { phoneRatingIntervalMinutes: 20 }, 500);
    const ref = foldReference([b, a, c]);
    expect(ref.settings).toEqual({
      ...DEFAULT_SETTINGS,
      phoneRatingIntervalMinutes: 5,
      kioskIdleSeconds: 60,
    });
  });
});

describe('duty shift validation', () => {
  const shift = (date: string) =>
    appendToLog(EMPTY_HEAD, {
      type: 'ref.dutyShiftSaved',
      payload: {
        shiftId: newId(),
        leaderId: newId(),
        departmentId,
        windowId: null,
        date,
        start: '09:00',
        end: '12:00',
        published: true,
        active: true,
      },
      hallId,
      deviceId,
      at: new Date().toISOString(),
      hlc: hlc(),
    }).event;

  it('accepts a day on the calendar and refuses one that is not', () => {
    expect(validateEvent(shift('2028-02-29')).ok).toBe(true);
    const result = validateEvent(shift('2026-02-30'));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]!.message).toBe('payload.date: must be a date on the calendar');
  });
});
