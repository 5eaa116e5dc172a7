import { describe, expect, it, vi } from 'vitest';
import { WriteError, type Phone } from '../../src/app/device-api';
import { ProgressError, withLocalFollowUps } from '../../src/app/phone';
import type { EventEnvelope, EventType, PayloadOf } from '../../src/domain/events';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { newId, type Id } from '../../src/domain/ids';
import { citizenProgress, foldProblem, type CitizenProgress } from '../../src/domain/problem';
import type { RatingLevel } from '../../src/domain/rating';
import { FollowUpRefusal, type LocalFollowUp } from '../../src/storage/follow-up-repository';
import { ProgressState } from '../../src/screens/rate/progress-state.svelte';
import { progressStages, progressSummary } from '../../src/screens/rate/progress-view';
import { RateState } from '../../src/screens/rate/rate-state.svelte';
import type { PublicProgressItem } from '../../src/sync/pipeline-protocol';
import type { PublicWindowResponse } from '../../src/sync/protocol';
import { INITIAL_STATUS, type SyncStatus } from '../../src/sync/status';

const hallId = newId();
const departmentId = newId();
const windowId = newId();
const phoneId = newId();
const consoleId = newId();

let clock = Date.parse('2026-03-02T02:00:00Z');
function event<T extends EventType>(type: T, payload: PayloadOf<T>, deviceId = consoleId) {
  clock += 60_000;
  return {
    v: 1,
    id: newId(),
    type,
    hallId,
    deviceId,
    deviceSeq: 1,
    prevHash: null,
    actorId: null,
    at: new Date(clock).toISOString(),
    hlc: formatHlc({ millis: clock, counter: 0, node: hlcNode(deviceId) }),
    payload,
  } as EventEnvelope<T>;
}

/** A 差评 and the steps the hall takes on it, folded as the server folds them. */
function poorRating() {
  const rating = event(
    'rating.submitted',
    {
      windowId,
      departmentId,
      level: 'very_dissatisfied',
      reasons: ['had_to_come_back'],
      comment: '',
      ticket: null,
      channel: 'qr',
      phoneId,
      dutySessionId: null,
    },
    phoneId,
  );
  const events: EventEnvelope[] = [rating];
  const problemId = rating.id;
  const progress = (): CitizenProgress => citizenProgress(foldProblem(events)!);
  return {
    problemId,
    progress,
    add: <T extends EventType>(type: T, payload: PayloadOf<T>, deviceId?: Id) =>
      events.push(event(type, payload, deviceId)),
  };
}

const texts = (p: CitizenProgress) => progressStages(p).map((s) => [s.state, s.text]);

describe('progressStages: 受理 → 整改 → 回访', () => {
  it('follows a 差评 from waiting to be accepted to called back and followed up', () => {
    const r = poorRating();
    expect(texts(r.progress())).toEqual([
      ['current', 'rate.progress.awaitingAccept'],
      ['waiting', 'rate.progress.notStarted'],
      ['waiting', 'rate.progress.notStarted'],
    ]);
    expect(progressSummary(r.progress())).toBe('rate.progress.awaitingAccept');

    r.add('problem.prechecked', {
      problemId: r.problemId,
      from: 'found',
      verdict: 'valid',
      note: '',
    });
    expect(texts(r.progress())).toEqual([
      ['done', 'rate.progress.accepted'],
      ['current', 'rate.progress.awaitingRectify'],
      ['waiting', 'rate.progress.notStarted'],
    ]);

    r.add('problem.assigned', {
      problemId: r.problemId,
      from: 'found',
      departmentId,
      assignee: '综合窗口负责人',
      note: '',
    });
    expect(texts(r.progress())[1]).toEqual(['current', 'rate.progress.rectifying']);
    expect(progressSummary(r.progress())).toBe('rate.progress.summaryHandling');

    r.add('problem.statusChanged', {
      problemId: r.problemId,
      from: 'assigned',
      to: 'rectified',
      note: '增加了材料清单',
      photos: [],
    });
    expect(texts(r.progress())).toEqual([
      ['done', 'rate.progress.accepted'],
      ['done', 'rate.progress.rectified'],
      ['current', 'rate.progress.awaitingCallBack'],
    ]);
    expect(progressSummary(r.progress())).toBe('rate.progress.summaryCanFollowUp');

    r.add('problem.calledBack', {
      problemId: r.problemId,
      reached: true,
      satisfied: true,
      note: '',
    });
    expect(texts(r.progress())[2]).toEqual(['done', 'rate.progress.calledBack']);

    r.add(
      'rating.followedUp',
      { ratingId: r.problemId, phoneId, level: 'satisfied', comment: '' },
      phoneId,
    );
    expect(progressSummary(r.progress())).toBe('rate.progress.summaryFollowedUp');
  });

  it('says so while an appeal is reviewed, and when the 差评 was set aside', () => {
    const r = poorRating();
    r.add('problem.prechecked', {
      problemId: r.problemId,
      from: 'found',
      verdict: 'malicious',
      note: '同一号码重复差评',
    });
    expect(texts(r.progress())[0]).toEqual(['current', 'rate.progress.underReview']);
    expect(progressSummary(r.progress())).toBe('rate.progress.underReview');

    r.add('problem.reviewed', {
      problemId: r.problemId,
      from: 'appealing',
      upheld: true,
      note: '属实',
    });
    expect(texts(r.progress())).toEqual([
      ['stopped', 'rate.progress.setAside'],
      ['stopped', 'rate.progress.notNeeded'],
      ['stopped', 'rate.progress.notNeeded'],
    ]);
    expect(progressSummary(r.progress())).toBe('rate.progress.setAside');
  });

  it('shows a call-back made before the rectification as done', () => {
    const r = poorRating();
    r.add('problem.calledBack', {
      problemId: r.problemId,
      reached: true,
      satisfied: null,
      note: '',
    });
    expect(texts(r.progress())[2]).toEqual(['done', 'rate.progress.calledBack']);
  });
});

function item(
  over: Partial<CitizenProgress> = {},
  at = '2026-03-02T02:00:00.000Z',
): PublicProgressItem {
  return {
    ratingId: newId(),
    at,
    level: 'dissatisfied',
    window: { code: 'A01', name: 'A01 窗口' },
    department: { name: '税务' },
    progress: {
      accepted: true,
      underReview: false,
      rectification: 'done',
      calledBack: false,
      setAside: false,
      canFollowUp: true,
      followUp: null,
      ...over,
    },
  };
}

function local(ratingId: Id, status: LocalFollowUp['status'], level: RatingLevel = 'satisfied') {
  return {
    eventId: newId(),
    ratingId,
    level,
    comment: '好多了',
    at: '2026-03-05T02:00:00.000Z',
    status,
  };
}

describe('withLocalFollowUps', () => {
  it('shows a follow-up saved here at once and stops offering the form, newest 差评 first', () => {
    const older = item({}, '2026-03-01T02:00:00.000Z');
    const newer = item({}, '2026-03-03T02:00:00.000Z');
    const merged = withLocalFollowUps([older, newer], [local(older.ratingId, 'pending')]);
    expect(merged.map((i) => i.ratingId)).toEqual([newer.ratingId, older.ratingId]);
    expect(merged[1]!.progress).toMatchObject({
      canFollowUp: false,
      followUp: { level: 'satisfied', comment: '好多了' },
    });
    expect(merged[0]!.progress.canFollowUp).toBe(true);
  });

  it('ignores a follow-up the server refused, and keeps the server’s own when it has one', () => {
    const refused = item();
    const known = item({
      canFollowUp: false,
      followUp: { level: 'very_satisfied', comment: '', at: '2026-03-04T02:00:00.000Z' },
    });
    const merged = withLocalFollowUps(
      [refused, known],
      [local(refused.ratingId, 'rejected'), local(known.ratingId, 'acked', 'basically_satisfied')],
    );
    const by = new Map(merged.map((i) => [i.ratingId, i.progress]));
    expect(by.get(refused.ratingId)).toMatchObject({ canFollowUp: true, followUp: null });
    expect(by.get(known.ratingId)!.followUp!.level).toBe('very_satisfied');
  });
});

/** A phone whose progress answers and follow-ups the test controls. */
function fakePhone() {
  const answers: (() => Promise<PublicProgressItem[]>)[] = [];
  const sent: { ratingId: Id; level: RatingLevel; comment: string }[] = [];
  let failFollowUp: unknown = null;
  let items: PublicProgressItem[] = [];
  let asked = 0;
  const phone: Pick<Phone, 'progress' | 'followUp'> = {
    progress: () => {
      asked++;
      return answers.shift()?.() ?? Promise.resolve(items);
    },
    async followUp(ratingId, level, comment) {
      if (failFollowUp) throw failFollowUp;
      sent.push({ ratingId, level, comment });
    },
  };
  return {
    phone,
    sent,
    asked: () => asked,
    setItems: (next: PublicProgressItem[]) => (items = next),
    answerOnce: (answer: () => Promise<PublicProgressItem[]>) => answers.push(answer),
    failFollowUpWith: (error: unknown) => (failFollowUp = error),
  };
}

describe('ProgressState', () => {
  it('shows only on a phone that gave 差评', async () => {
    const fake = fakePhone();
    const state = new ProgressState(fake.phone);
    await state.refresh();
    expect(state.loaded).toBe(true);
    expect(state.visible).toBe(false);
    fake.setItems([item()]);
    await state.refresh();
    expect(state.visible).toBe(true);
    expect(state.items).toHaveLength(1);
  });

  it('words an unreachable server as offline and keeps the last answer', async () => {
    const fake = fakePhone();
    const first = item();
    fake.setItems([first]);
    const state = new ProgressState(fake.phone);
    await state.refresh();
    fake.answerOnce(() => Promise.reject(new ProgressError('offline')));
    await state.refresh();
    expect(state.error).toBe('offline');
    expect(state.items.map((i) => i.ratingId)).toEqual([first.ratingId]);
    fake.answerOnce(() => Promise.reject(new ProgressError('failed')));
    await state.refresh();
    expect(state.error).toBe('failed');
    await state.refresh();
    expect(state.error).toBeNull();
  });

  it('answers calls made while a question runs with one more question after it', async () => {
    const fake = fakePhone();
    let release = () => {};
    fake.answerOnce(() => new Promise((resolve) => (release = () => resolve([]))));
    const state = new ProgressState(fake.phone);
    const first = state.refresh();
    expect(state.loading).toBe(true);
    void state.refresh();
    void state.refresh();
    fake.setItems([item()]);
    release();
    await first;
    expect(fake.asked()).toBe(2);
    expect(state.items).toHaveLength(1);
    expect(state.loading).toBe(false);
  });

  it('sends a follow-up only with a level, trims the comment, thanks, and asks again', async () => {
    const fake = fakePhone();
    const given = item();
    fake.setItems([given]);
    const state = new ProgressState(fake.phone);
    await state.refresh();
    const form = state.form(given.ratingId);
    expect(state.form(given.ratingId)).toBe(form);

    form.comment = '  窗口增加了指引  ';
    await form.submit();
    expect(form.needLevel).toBe(true);
    expect(fake.sent).toHaveLength(0);

    form.choose('satisfied');
    expect(form.needLevel).toBe(false);
    const asked = fake.asked();
    await form.submit();
    expect(fake.sent).toEqual([
      { ratingId: given.ratingId, level: 'satisfied', comment: '窗口增加了指引' },
    ]);
    expect(form.sent).toBe('satisfied');
    expect(form.saving).toBe(false);
    await state.refresh();
    expect(fake.asked()).toBeGreaterThan(asked);

    // Sent once: a second tap sends nothing more.
    form.choose('very_satisfied');
    await form.submit();
    expect(fake.sent).toHaveLength(1);
  });

  it('turns a refusal or a storage failure into a code and keeps the form', async () => {
    const fake = fakePhone();
    const state = new ProgressState(fake.phone);
    const form = state.form(newId());
    form.choose('satisfied');
    fake.failFollowUpWith(new FollowUpRefusal('already_followed_up'));
    await form.submit();
    expect(form.error).toBe('already_followed_up');
    expect(form.sent).toBeNull();
    fake.failFollowUpWith(new WriteError('storage_full'));
    await form.submit();
    expect(form.error).toBe('storage_full');
    fake.failFollowUpWith(new Error('boom'));
    await form.submit();
    expect(form.error).toBe('storage_unavailable');
    expect(form.level).toBe('satisfied');
  });
});

describe('RateState with progress', () => {
  const info: PublicWindowResponse = {
    hallId,
    hallName: '市民服务中心',
    window: { id: windowId, code: 'A01', name: 'A01 窗口' },
    department: { id: departmentId, code: 'TAX', name: '税务' },
    settings: { phoneRatingIntervalMinutes: 10 },
    serverTime: new Date().toISOString(),
  };

  function page() {
    const fake = fakePhone();
    let outcome: ((id: Id, o: 'stored' | 'refused', reason?: string) => void) | null = null;
    let status: ((s: SyncStatus) => void) | null = null;
    const phone: Phone = {
      ...fake.phone,
      recordRating: async () => ({}) as EventEnvelope<'rating.submitted'>,
      onStatus(cb) {
        status = cb;
        cb(INITIAL_STATUS);
        return () => undefined;
      },
      onOutcome(cb) {
        outcome = cb;
        return () => undefined;
      },
      requestSync: () => undefined,
      leaveCallbackNumber: async () => undefined,
      stop: () => undefined,
    };
    const rate = new RateState(
      { loadPublicWindow: async () => info, openPhone: async () => phone },
      'A01',
      'sig',
    );
    return {
      rate,
      fake,
      outcome: (id: Id, o: 'stored' | 'refused', reason?: string) => outcome!(id, o, reason),
      status: (s: Partial<SyncStatus>) => status!({ ...INITIAL_STATUS, ...s }),
    };
  }

  /** Until the question the page asked (synchronously, on open or on an answer) is answered. */
  const settled = (rate: RateState) => vi.waitFor(() => expect(rate.progress?.loading).toBe(false));

  it('asks for the progress when the page opens and again after the server answers', async () => {
    const { rate, fake, outcome } = page();
    await rate.start();
    await settled(rate);
    expect(fake.asked()).toBe(1);
    expect(rate.progress!.visible).toBe(false);

    fake.setItems([item({ accepted: false, rectification: 'pending', canFollowUp: false })]);
    outcome(newId(), 'stored');
    await settled(rate);
    expect(fake.asked()).toBe(2);
    expect(rate.progress!.visible).toBe(true);
  });

  it('asks again after a sync succeeds when the last question could not be answered', async () => {
    const { rate, fake, status } = page();
    fake.answerOnce(() => Promise.reject(new ProgressError('offline')));
    await rate.start();
    await settled(rate);
    expect(rate.progress!.error).toBe('offline');
    status({ lastSuccessAt: new Date().toISOString() });
    await settled(rate);
    expect(fake.asked()).toBe(2);
    expect(rate.progress!.error).toBeNull();
  });

  it('lists a follow-up the server refused', async () => {
    const { rate, outcome } = page();
    await rate.start();
    const id = newId();
    outcome(id, 'refused', 'not_followable');
    expect(rate.refusals).toEqual([{ eventId: id, reason: 'not_followable' }]);
  });
});
