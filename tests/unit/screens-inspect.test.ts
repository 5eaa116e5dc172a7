import { render } from 'svelte/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PhotoError,
  InspectionError,
  SignInError,
  WriteError,
  type Device,
  type FindingInput,
  type Inspection,
  type Inspector,
  type ProblemStepInput,
  type ProblemView,
  type WalkInput,
} from '../../src/app/device-api';
import { holidayCalendar } from '../../src/domain/calendar';
import { checklistInOrder } from '../../src/domain/checklist';
import type { DeviceRole } from '../../src/domain/device';
import {
  CHECKLIST_GROUPS,
  type CheckResult,
  type ChecklistGroup,
  type EventEnvelope,
  type EventType,
  type PayloadOf,
} from '../../src/domain/events';
import { formatHlc } from '../../src/domain/hlc';
import { newId, type Id } from '../../src/domain/ids';
import {
  foldProblems,
  isOverdue,
  nextSteps,
  problemDeadlines,
  type Deadline,
  type Problem,
  type ProblemStep,
} from '../../src/domain/problem';
import { DEFAULT_SETTINGS, emptyReference, type Reference } from '../../src/domain/reference';
import { foldWalks, type Walk } from '../../src/domain/walk';
import { InspectState, SIGN_OUT_IDLE_MS } from '../../src/screens/inspect/inspect-state.svelte';
import StartWalkForm from '../../src/screens/inspect/StartWalkForm.svelte';
import {
  checkPicked,
  deadlineWords,
  problemText,
  saveProblemOf,
} from '../../src/screens/inspect/inspect-words';
import { PhotoPicks, type PreviewUrls } from '../../src/screens/inspect/photo-picks.svelte';
import { stepsOffered } from '../../src/screens/inspect/problem-state.svelte';
import { STEP_TITLES, stepDetail } from '../../src/screens/inspect/step-words';
import { lookup } from '../../src/i18n/catalog';
import inspectEn from '../../src/i18n/screens/inspect.en';
import inspectZh from '../../src/i18n/screens/inspect.zh-CN';
import { manualTime } from './manual-time';
import { INITIAL_STATUS } from '../../src/sync/status';

const PIN = '2468';
const START = Date.parse('2026-03-02T01:30:00Z'); // a Monday, 09:30 in the hall

/** A hall with two departments, a window, two leaders and a few checklist items. */
function makeHall() {
  const ref = emptyReference();
  const version = {
    hlc: formatHlc({ millis: START, counter: 0, node: '0'.repeat(16) }),
    id: newId(),
  };
  const tax = newId();
  const social = newId();
  const window = newId();
  ref.hall = { name: '市政务服务中心' };
  ref.departments[tax] = { id: tax, code: 'TAX', name: '税务局', sort: 1, active: true, version };
  ref.departments[social] = {
    id: social,
    code: 'SOC',
    name: '人社局',
    sort: 2,
    active: true,
    version,
  };
  ref.windows[window] = {
    id: window,
    departmentId: tax,
    code: 'A01',
    name: '综合窗口',
    sort: 1,
    active: true,
    version,
  };
  const taxHead = newId();
  const socialHead = newId();
  ref.leaders[taxHead] = {
    id: taxHead,
    departmentId: tax,
    title: '税务局局长',
    active: true,
    version,
  };
  ref.leaders[socialHead] = {
    id: socialHead,
    departmentId: social,
    title: '人社局副局长',
    active: true,
    version,
  };
  const items: [ChecklistGroup, string, number, boolean][] = [
    ['reform', '能否减材料', 1, true],
    ['experience', '窗口服务体验', 1, true],
    ['experience', '网上办事体验', 2, true],
    ['certificates', '奇葩证明', 1, false],
  ];
  for (const [group, text, sort, active] of items) {
    const id = newId();
    ref.checklist[id] = { id, group, text, sort, active, version };
  }
  return { ref, tax, social, window, taxHead, socialHead };
}

/** The tablet's API in memory: events folded with the shared domain, failures on request. */
class FakeInspection implements Inspection {
  events: EventEnvelope[] = [];
  #inspector: Inspector | null = null;
  #failures = new Map<Id, number>();
  #listeners = new Set<() => void>();
  #counter = 0;
  /** The next write fails with this error. */
  failNext: Error | null = null;
  photosHere = new Set<string>();
  deviceId = newId();

  constructor(
    readonly ref: Reference,
    readonly now: () => number,
  ) {}

  leaders() {
    return Object.values(this.ref.leaders).filter((l) => l.active);
  }
  async hasPin() {
    return true;
  }
  async lockout(leaderId: Id) {
    const failures = this.#failures.get(leaderId) ?? 0;
    return {
      locked: failures >= 5,
      remainingMs: failures >= 5 ? 60_000 : 0,
      failuresLeft: 5 - failures,
    };
  }
  async signIn(leaderId: Id, pin: string) {
    const leader = this.ref.leaders[leaderId];
    if (!leader) throw new SignInError('unknown_leader');
    const failures = this.#failures.get(leaderId) ?? 0;
    if (failures >= 5) throw new SignInError('locked', 0, 60_000);
    if (pin !== PIN) {
      this.#failures.set(leaderId, failures + 1);
      if (failures + 1 >= 5) throw new SignInError('locked', 0, 60_000);
      throw new SignInError('wrong_pin', 5 - failures - 1);
    }
    this.#inspector = { leaderId, departmentId: leader.departmentId, title: leader.title };
    return this.#inspector;
  }
  signOut() {
    this.#inspector = null;
  }
  inspector() {
    return this.#inspector;
  }
  checklist() {
    return checklistInOrder(this.ref.checklist, CHECKLIST_GROUPS);
  }
  checklistItem(itemId: Id) {
    return this.ref.checklist[itemId] ?? null;
  }

  #write<T extends EventType>(type: T, payload: PayloadOf<T>): void {
    const failure = this.failNext;
    this.failNext = null;
    if (failure) throw failure;
    if (!this.#inspector) throw new SignInError('session_closed');
    const millis = this.now();
    this.events.push({
      v: 1,
      id: newId(),
      type,
      hallId: newId(),
      deviceId: this.deviceId,
      deviceSeq: this.events.length + 1,
      prevHash: null,
      actorId: this.#inspector.leaderId,
      at: new Date(millis).toISOString(),
      hlc: formatHlc({ millis, counter: this.#counter++, node: '1'.repeat(16) }),
      payload,
    } as EventEnvelope);
    for (const listener of this.#listeners) listener();
  }
  #photos(blobs: Blob[]) {
    return blobs.map((b, i) => {
      const sha256 = (i.toString(16) + String(this.events.length)).padEnd(64, 'a');
      this.photosHere.add(sha256);
      return { sha256, type: 'image/jpeg' as const, size: b.size || 1 };
    });
  }
  #walks(): Walk[] {
    return Object.values(foldWalks(this.events)).sort((a, b) =>
      b.startedHlc.localeCompare(a.startedHlc),
    );
  }
  #view(problemId: Id): ProblemView | null {
    const p = foldProblems(this.events)[problemId];
    if (!p) return null;
    const deadlines = problemDeadlines(p, this.now(), holidayCalendar({}), DEFAULT_SETTINGS);
    return { problem: p, deadlines, overdue: isOverdue(deadlines), next: nextSteps(p) };
  }

  async startWalk(input: WalkInput) {
    const walkId = newId();
    this.#write('walk.started', {
      walkId,
      ...input,
      leaderId: this.#inspector?.leaderId ?? newId(),
      pinVersion: 1,
      pinProof: 'f'.repeat(64),
    });
    return foldWalks(this.events)[walkId]!;
  }
  async openWalks() {
    return this.#walks().filter((w) => w.endedAt === null);
  }
  async walks() {
    return this.#walks();
  }
  async walk(walkId: Id) {
    return foldWalks(this.events)[walkId] ?? null;
  }
  async check(walkId: Id, itemId: Id, result: CheckResult, note: string) {
    this.#write('walk.checked', { walkId, itemId, result, note });
    return foldWalks(this.events)[walkId]!;
  }
  async addFinding(walkId: Id, input: FindingInput) {
    const walk = foldWalks(this.events)[walkId]!;
    const problemId = newId();
    const photos = this.failNext ? [] : this.#photos(input.photos);
    this.#write('problem.recorded', {
      problemId,
      source: 'walk',
      sourceId: newId(),
      departmentId: walk.departmentId,
      windowId: walk.windowId,
      description: input.description,
      severity: input.severity,
      walkId,
      ...(input.checklistItemId ? { checklistItemId: input.checklistItemId } : {}),
      photos,
    });
    return this.#view(problemId)!;
  }
  async findings(walkId: Id) {
    return (await this.problems()).filter((v) => v.problem.walkId === walkId);
  }
  async endWalk(walkId: Id, summary: string) {
    this.#write('walk.ended', { walkId, summary });
    return foldWalks(this.events)[walkId]!;
  }
  async problems() {
    return Object.keys(foldProblems(this.events))
      .map((id) => this.#view(id)!)
      .sort((a, b) => b.problem.recordedHlc.localeCompare(a.problem.recordedHlc));
  }
  async problem(problemId: Id) {
    return this.#view(problemId);
  }
  async step(problemId: Id, input: ProblemStepInput) {
    const withPhotos =
      input.type === 'problem.statusChanged' || input.type === 'problem.commented'
        ? { photos: this.#photos(input.photos ?? []) }
        : {};
    this.#write(input.type, { ...input.payload, problemId, ...withPhotos } as never);
    return this.#view(problemId)!;
  }
  async localPhotoUrl(sha256: string) {
    return this.photosHere.has(sha256) ? `blob:local/${sha256}` : null;
  }
  async photoBlob() {
    return null;
  }
  async pendingPhotos() {
    return this.photosHere.size;
  }
  onChange(cb: () => void) {
    this.#listeners.add(cb);
    return () => void this.#listeners.delete(cb);
  }
  /** A problem recorded elsewhere: a poor rating from a phone. */
  addRating(departmentId: Id, windowId: Id) {
    const millis = this.now();
    const e = {
      v: 1,
      id: newId(),
      type: 'rating.submitted',
      hallId: newId(),
      deviceId: newId(),
      deviceSeq: 1,
      prevHash: null,
      actorId: null,
      at: new Date(millis).toISOString(),
      hlc: formatHlc({ millis, counter: this.#counter++, node: '2'.repeat(16) }),
      payload: {
        windowId,
        departmentId,
        level: 'very_dissatisfied',
        reasons: ['attitude'],
        comment: '态度差',
        ticket: null,
        channel: 'qr',
        phoneId: newId(),
        dutySessionId: null,
      },
    } as EventEnvelope;
    this.events.push(e);
    return e.id;
  }
}

function fakeDevice(role: DeviceRole, inspection: Inspection | null, ref: Reference): Device {
  return {
    credentials: {
      deviceId: newId(),
      token: 't',
      hallId: newId(),
      role,
      windowId: null,
      enrolledAt: new Date(START).toISOString(),
    },
    recordRating: () => Promise.reject(new Error('not here')),
    onReference(cb) {
      cb(ref);
      return () => {};
    },
    onStatus(cb) {
      cb({ ...INITIAL_STATUS, pendingPhotos: 2 });
      return () => {};
    },
    requestSync() {},
    inspection,
    stop() {},
  };
}

/** Preview URLs counted, so a test sees each one revoked. */
function countingUrls() {
  const live = new Set<string>();
  let n = 0;
  const urls: PreviewUrls = {
    create: () => {
      const url = `blob:preview/${++n}`;
      live.add(url);
      return url;
    },
    revoke: (url) => void live.delete(url),
  };
  return { urls, live };
}

const image = (name = 'a.jpg') =>
  new File([new Uint8Array([1, 2, 3])], name, { type: 'image/jpeg' });

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function started() {
  const hall = makeHall();
  const time = manualTime({ ms: START });
  const inspection = new FakeInspection(hall.ref, time.now);
  const { urls, live } = countingUrls();
  const state = new InspectState({
    openDevice: () => Promise.resolve(fakeDevice('inspection_tablet', inspection, hall.ref)),
    timers: time.timers,
    now: time.now,
    urls,
  });
  cleanup.push(() => state.stop());
  await state.start();
  return { hall, time, inspection, state, live };
}

async function signIn(state: InspectState, leaderId: Id, pin = PIN) {
  await state.chooseLeader(leaderId);
  for (const d of pin) state.pin.pressDigit(d);
  await state.submitPin();
}

describe('inspection tablet screen state', () => {
  it('tells a browser that is not enrolled, or enrolled for something else', async () => {
    const none = new InspectState({ openDevice: () => Promise.resolve(null) });
    await none.start();
    expect(none.phase).toBe('notEnrolled');

    const { ref } = makeHall();
    const duty = new InspectState({
      openDevice: () => Promise.resolve(fakeDevice('duty_kiosk', null, ref)),
    });
    cleanup.push(() => duty.stop());
    await duty.start();
    expect(duty.phase).toBe('wrongRole');
    expect(duty.role).toBe('duty_kiosk');
  });

  it('signs a leader in after a wrong PIN, chosen by department and title', async () => {
    const { hall, state } = await started();
    expect(state.phase).toBe('ready');
    expect(state.view).toBe('signIn');
    expect(state.status.pendingPhotos).toBe(2);
    expect(
      state.leaderGroups.map((g) => [g.department?.name, g.leaders.map((l) => l.title)]),
    ).toEqual([
      ['税务局', ['税务局局长']],
      ['人社局', ['人社局副局长']],
    ]);

    await state.chooseLeader(hall.taxHead);
    expect(state.view).toBe('pin');
    expect(state.selectedLeader?.title).toBe('税务局局长');
    state.pin.pressDigit('1');
    await state.submitPin();
    expect(state.pin.problem).toEqual({ code: 'pin_format' });
    state.pin.clear();
    for (const d of '1111') state.pin.pressDigit(d);
    await state.submitPin();
    expect(state.pin.problem).toEqual({ code: 'wrong_pin', failuresLeft: 4 });
    expect(state.pin.length).toBe(0);

    for (const d of PIN) state.pin.pressDigit(d);
    await state.submitPin();
    expect(state.view).toBe('home');
    expect(state.inspector?.title).toBe('税务局局长');
    // The start form begins at the leader's own department.
    expect(state.departmentId).toBe(hall.tax);
  });

  it('shows a lockout and counts it down', async () => {
    const { hall, state, time } = await started();
    for (let i = 0; i < 5; i++) await signIn(state, hall.taxHead, '0000');
    expect(state.pin.problem).toEqual({ code: 'locked' });
    expect(state.pin.locked).toBe(true);
    expect(state.pin.remainingMs).toBe(60_000);
    time.advance(20_000);
    expect(state.pin.remainingMs).toBe(40_000);
    time.advance(40_000);
    expect(state.pin.locked).toBe(false);
    expect(state.pin.problem).toBeNull();
  });

  it('signs out after five minutes untouched; the open walk is still there to resume', async () => {
    const { hall, state, time, inspection } = await started();
    await signIn(state, hall.taxHead);
    state.mode = 'unannounced';
    state.departmentId = hall.tax;
    state.windowId = hall.window;
    state.serviceItem = '  个体工商户登记 ';
    await state.startWalk();
    expect(state.view).toBe('walk');
    const walkId = state.walk!.walk.id;
    expect(state.walk!.walk).toMatchObject({
      mode: 'unannounced',
      departmentId: hall.tax,
      windowId: hall.window,
      serviceItem: '个体工商户登记',
    });

    time.advance(SIGN_OUT_IDLE_MS - 1_000);
    state.touch();
    time.advance(SIGN_OUT_IDLE_MS - 1_000);
    expect(state.view).toBe('walk');
    time.advance(1_000);
    expect(state.view).toBe('signIn');
    expect(state.inspector).toBeNull();
    expect(inspection.inspector()).toBeNull();
    expect(state.walk).toBeNull();

    await signIn(state, hall.taxHead);
    await state.refresh();
    expect(state.openWalks.map((w) => w.id)).toEqual([walkId]);
    await state.openWalk(walkId);
    expect(state.view).toBe('walk');
    expect(state.walk!.walk.id).toBe(walkId);
  });

  it('refuses a walk without a department, and a window of another department', async () => {
    const { hall, state } = await started();
    await signIn(state, hall.socialHead);
    state.departmentId = '';
    await state.startWalk();
    expect(state.startProblem).toBe('choose_department');
    state.departmentId = hall.tax;
    state.windowId = hall.window;
    expect(state.windowsOf(hall.social)).toEqual([]);
    state.departmentId = hall.social;
    expect(state.windowId).toBe('');
  });

  it('suggests the chosen department’s active service items, and keeps any words typed', async () => {
    const { hall, state } = await started();
    const version = Object.values(hall.ref.departments)[0]!.version;
    const items: [Id, string, string, number, boolean][] = [
      [hall.tax, 'SX2', '发票申领', 20, true],
      [hall.tax, 'SX1', '税务登记', 10, true],
      [hall.tax, 'SX0', '定额发票', 5, false],
      [hall.social, 'RS1', '社保卡申领', 10, true],
    ];
    for (const [departmentId, code, name, sort, active] of items) {
      const id = newId();
      hall.ref.serviceItems[id] = { id, departmentId, code, name, sort, active, version };
    }
    await signIn(state, hall.taxHead);
    state.departmentId = '';
    expect(state.serviceItemsOf(state.departmentId)).toEqual([]);
    state.departmentId = hall.tax;
    expect(state.serviceItemsOf(state.departmentId).map((s) => s.name)).toEqual([
      '税务登记',
      '发票申领',
    ]);
    const { body } = render(StartWalkForm, { props: { inspect: state } });
    expect(body).toContain('list="walk-item-suggestions"');
    expect(body.match(/<option value="[^"]*"[^>]*><\/option>/g)).toEqual([
      '<option value="税务登记"></option>',
      '<option value="发票申领"></option>',
    ]);
    state.departmentId = hall.social;
    expect(state.serviceItemsOf(state.departmentId).map((s) => s.name)).toEqual(['社保卡申领']);

    // The service item stays free text: words not among the suggestions are kept.
    state.serviceItem = '灵活就业人员参保登记';
    await state.startWalk();
    expect(state.walk!.walk).toMatchObject({
      departmentId: hall.social,
      serviceItem: '灵活就业人员参保登记',
    });
  });

  it('walks the checklist by group, records findings with photos, keeps typing on a failure, and ends', async () => {
    const { hall, state, inspection, live } = await started();
    await signIn(state, hall.taxHead);
    await state.startWalk();
    const walk = state.walk!;
    expect(walk.sections.map((s) => [s.group, s.items.map((i) => i.text)])).toEqual([
      ['experience', ['窗口服务体验', '网上办事体验']],
      ['reform', ['能否减材料']],
    ]);
    const [counter, online] = walk.sections[0]!.items;
    const [documents] = walk.sections[1]!.items;

    await walk.mark(counter!.id, 'fine');
    await walk.mark(online!.id, 'na');
    expect(walk.findingOpen).toBe(false);
    await walk.mark(documents!.id, 'problem');
    expect(walk.result(documents!.id)).toBe('problem');
    expect(walk.findingOpen).toBe(true);
    expect(walk.formAt).toBe(documents!.id);
    expect(walk.itemId).toBe(documents!.id);

    inspection.failNext = new WriteError('storage_full');
    await walk.mark(online!.id, 'problem');
    expect(walk.checkProblem).toBe('storage_full');
    expect(walk.checkFailedAt).toBe(online!.id);
    expect(walk.result(online!.id)).toBe('na');
    expect(walk.formAt).toBe(documents!.id);

    walk.setNote(counter!.id, '排队有序');
    await walk.saveNote(counter!.id);
    expect(walk.noteSaved).toBe(counter!.id);
    expect(walk.walk.checks[counter!.id]).toMatchObject({ result: 'fine', note: '排队有序' });

    await walk.saveFinding();
    expect(walk.findingProblem).toBe('description_required');

    walk.description = '要求重复提交身份证复印件';
    walk.severity = 'high';
    walk.photos.add([new File(['x'], 'notes.txt', { type: 'text/plain' })]);
    expect(walk.findingProblem).toBe('not_an_image');
    walk.photos.add([image('1.jpg'), image('2.jpg')]);
    expect(walk.photos.items).toHaveLength(2);
    expect(live.size).toBe(2);

    inspection.failNext = new WriteError('storage_full');
    await walk.saveFinding();
    expect(walk.findingProblem).toBe('storage_full');
    expect(walk.description).toBe('要求重复提交身份证复印件');
    expect(walk.photos.items).toHaveLength(2);

    inspection.failNext = new PhotoError('photo_too_large');
    await walk.saveFinding();
    expect(walk.findingProblem).toBe('photo_too_large');
    expect(walk.severity).toBe('high');

    await walk.saveFinding();
    expect(walk.findingProblem).toBeNull();
    expect(walk.findingSaved).toBe(true);
    expect(walk.findingOpen).toBe(false);
    expect(walk.description).toBe('');
    expect(live.size).toBe(0);
    expect(walk.findings).toHaveLength(1);
    expect(walk.findings[0]!.problem).toMatchObject({
      description: '要求重复提交身份证复印件',
      severity: 'high',
      checklistItemId: documents!.id,
      source: 'walk',
    });
    expect(walk.findings[0]!.problem.photos).toHaveLength(2);

    walk.openFinding();
    expect(walk.formAt).toBeNull();
    walk.description = '指引牌不清楚';
    await walk.saveFinding();
    expect(walk.findings).toHaveLength(2);

    expect(walk.counts).toEqual({ fine: 1, problem: 1, na: 1 });
    expect(walk.unchecked).toBe(0);
    walk.askEnd();
    walk.summary = '整体有序，材料要求偏多';
    inspection.failNext = new WriteError('storage_unavailable');
    await walk.end();
    expect(walk.endProblem).toBe('storage_unavailable');
    expect(walk.summary).toBe('整体有序，材料要求偏多');
    expect(walk.ended).toBe(false);
    await walk.end();
    expect(walk.ended).toBe(true);
    expect(walk.walk.summary).toBe('整体有序，材料要求偏多');
    await state.refresh();
    expect(state.openWalks).toEqual([]);
  });

  it('shows a stored photo from the tablet, and says so when it has not arrived', async () => {
    const { state, inspection } = await started();
    inspection.photosHere.add('a'.repeat(64));
    expect(await state.photoSource('a'.repeat(64))).toEqual({
      url: `blob:local/${'a'.repeat(64)}`,
      owned: true,
    });
    expect(await state.photoSource('b'.repeat(64))).toBeNull();
  });

  it('takes a walk finding through assign, rectify and verify, offering only the allowed steps', async () => {
    const { hall, state } = await started();
    await signIn(state, hall.taxHead);
    await state.startWalk();
    const walk = state.walk!;
    walk.openFinding();
    walk.description = '办事指南过期';
    await walk.saveFinding();
    const problemId = walk.findings[0]!.problem.id;

    await state.openProblem(problemId);
    expect(state.view).toBe('problem');
    const problem = state.problem!;
    // No call-back for a walk finding: there is no citizen to call.
    expect(problem.offered).toEqual(['assign', 'closed', 'comment']);

    problem.choose('closed');
    await problem.submit();
    expect(problem.problem).toBe('reason_required');

    problem.choose('assign');
    expect(problem.departmentId).toBe(hall.tax);
    problem.departmentId = hall.social;
    problem.assignee = '综合窗口负责人';
    problem.note = '三日内更新';
    await problem.submit();
    expect(problem.saved).toBe(true);
    expect(problem.kind).toBeNull();
    expect(problem.view.problem.status).toBe('assigned');
    expect(problem.view.problem.assignee).toEqual({
      departmentId: hall.social,
      assignee: '综合窗口负责人',
    });
    expect(problem.offered).toEqual(['assign', 'rectifying', 'rectified', 'closed', 'comment']);

    problem.choose('rectifying');
    expect(problem.takesPhotos).toBe(false);
    await problem.submit();
    expect(problem.view.problem.status).toBe('rectifying');

    problem.choose('rectified');
    expect(problem.takesPhotos).toBe(true);
    problem.note = '已更新指南';
    problem.photos.add([image()]);
    await problem.submit();
    expect(problem.view.problem.status).toBe('rectified');
    expect(problem.view.problem.steps.at(-1)!.photos).toHaveLength(1);
    expect(problem.offered).toEqual(['verified', 'rectifying', 'comment']);

    problem.choose('verified');
    await problem.submit();
    expect(problem.view.problem.status).toBe('verified');
    expect(problem.view.deadlines.rectify.done).toBe(true);

    problem.choose('comment');
    await problem.submit();
    expect(problem.problem).toBe('note_required');

    // Back goes to the walk the problem was opened from.
    await state.back();
    expect(state.view).toBe('walk');
  });

  it('pre-checks and calls back a poor rating, never closing it directly', async () => {
    const { hall, state, inspection } = await started();
    const ratingId = inspection.addRating(hall.tax, hall.window);
    await signIn(state, hall.taxHead);
    await state.refresh();
    expect(state.problems.map((p) => p.problem.id)).toEqual([ratingId]);
    state.scope = 'all';
    state.statusFilter = 'assigned';
    expect(state.problems).toEqual([]);
    state.statusFilter = 'found';
    expect(state.problems).toHaveLength(1);

    await state.openProblem(ratingId);
    const problem = state.problem!;
    expect(problem.offered).toEqual(['assign', 'precheck', 'callBack', 'comment']);
    expect(problem.view.deadlines.callBack).not.toBeNull();

    problem.choose('precheck');
    problem.verdict = 'malicious';
    await problem.submit();
    expect(problem.problem).toBe('reason_required');
    problem.verdict = 'valid';
    await problem.submit();
    expect(problem.view.problem.precheck).toBe('valid');

    problem.choose('callBack');
    await problem.submit();
    expect(problem.problem).toBe('answer_required');
    problem.reached = true;
    await problem.submit();
    expect(problem.problem).toBe('answer_required');
    problem.satisfied = false;
    problem.reached = false;
    expect(problem.satisfied).toBeNull();
    problem.reached = true;
    problem.satisfied = true;
    await problem.submit();
    expect(problem.view.problem.callBacks).toMatchObject([{ reached: true, satisfied: true }]);
    expect(problem.view.deadlines.callBack!.done).toBe(true);

    // A lapsed sign-in is told in words, and what was typed stays.
    problem.choose('comment');
    problem.note = '已回访';
    inspection.signOut();
    await problem.submit();
    expect(problem.problem).toBe('signed_out');
    expect(problem.note).toBe('已回访');
  });
});

describe('inspection tablet words', () => {
  const d = (over: Partial<Deadline>): Deadline => ({
    due: '2026-03-20',
    done: false,
    remaining: 3,
    overdue: false,
    late: false,
    ...over,
  });

  it('counts down in working days and tells how far past the deadline', () => {
    expect(deadlineWords(d({}))).toEqual({ key: 'inspect.deadline.left', params: { count: 3 } });
    expect(deadlineWords(d({ remaining: 0 }))).toEqual({ key: 'inspect.deadline.dueToday' });
    expect(deadlineWords(d({ remaining: -2, overdue: true }))).toEqual({
      key: 'inspect.deadline.overdue',
      params: { count: 2 },
    });
    expect(deadlineWords(d({ remaining: 0, overdue: true }))).toEqual({
      key: 'inspect.deadline.overdueNoDays',
    });
    expect(deadlineWords(d({ done: true, remaining: -1 }))).toEqual({
      key: 'inspect.deadline.done',
    });
    expect(deadlineWords(d({ done: true, late: true }))).toEqual({
      key: 'inspect.deadline.doneLate',
    });
  });

  it('tells a poor rating by its reasons in words and the comment', () => {
    const rating = (reasons: string[], comment: string) =>
      ({
        description: 'attitude — x',
        rating: { level: 'dissatisfied', reasons, comment, ticket: null, phoneId: null },
      }) as unknown as Problem;
    const words = (r: string) => `<${r}>`;
    expect(problemText(rating(['attitude', 'other'], ' 太慢 '), words)).toBe(
      '<attitude>、<other> — 太慢',
    );
    expect(problemText(rating([], '太慢'), words)).toBe('太慢');
    expect(problemText({ description: '指引不清', rating: null } as Problem, words)).toBe(
      '指引不清',
    );
  });

  it('turns failures into reason codes', () => {
    expect(saveProblemOf(new PhotoError('too_many_photos'))).toBe('too_many_photos');
    expect(saveProblemOf(new WriteError('storage_full'))).toBe('storage_full');
    expect(saveProblemOf(new SignInError('session_closed'))).toBe('signed_out');
    expect(saveProblemOf(new InspectionError('walk_ended'))).toBe('walk_ended');
    expect(saveProblemOf(new InspectionError('unknown_problem'))).toBe('unknown_problem');
    expect(saveProblemOf(new Error('?'))).toBe('storage_unavailable');
  });

  it('takes only images, and no more than the limit', () => {
    const jpeg = { type: 'image/jpeg' };
    expect(checkPicked([jpeg, jpeg], 0, 6)).toBeNull();
    expect(checkPicked([jpeg, { type: 'application/pdf' }], 0, 6)).toBe('not_an_image');
    expect(checkPicked([jpeg, jpeg], 5, 6)).toBe('too_many_photos');

    const { urls, live } = countingUrls();
    const picks = new PhotoPicks(urls);
    picks.add([image(), image(), image(), image(), image()]);
    picks.add([image(), image()]);
    expect(picks.problem).toBe('too_many_photos');
    expect(picks.items).toHaveLength(5);
    picks.remove(picks.items[0]!.key);
    expect(picks.problem).toBeNull();
    expect(live.size).toBe(4);
    picks.clear();
    expect(live.size).toBe(0);
  });

  it('says what a step of the history did beyond its note', () => {
    const step = (type: ProblemStep['type'], detail: ProblemStep['detail']): ProblemStep => ({
      eventId: newId(),
      type,
      at: '',
      hlc: '',
      actorId: null,
      deviceId: newId(),
      note: '',
      photos: [],
      statusBefore: 'found',
      statusAfter: 'found',
      superseded: null,
      detail,
    });
    const name = (id: string) => `dept:${id}`;
    const status = (s: string) => `status:${s}`;
    expect(
      stepDetail(step('problem.assigned', { departmentId: 'x', assignee: '科长' }), name, status),
    ).toEqual([
      { key: 'inspect.stepAssigned', params: { department: 'dept:x', assignee: '科长' } },
    ]);
    expect(
      stepDetail(
        step('problem.statusChanged', { from: 'assigned', to: 'rectifying' }),
        name,
        status,
      ),
    ).toEqual([
      { key: 'inspect.stepMove', params: { from: 'status:assigned', to: 'status:rectifying' } },
    ]);
    expect(
      stepDetail(step('problem.calledBack', { reached: false, satisfied: null }), name, status),
    ).toEqual([{ key: 'inspect.notReached' }]);
    expect(
      stepDetail(step('problem.calledBack', { reached: true, satisfied: false }), name, status),
    ).toEqual([{ key: 'inspect.reached' }, { key: 'inspect.notSatisfied' }]);
    expect(stepDetail(step('problem.prechecked', { verdict: 'mistaken' }), name, status)).toEqual([
      { key: 'inspect.verdicts.mistaken' },
    ]);
    expect(stepDetail(step('problem.commented', {}), name, status)).toEqual([]);
  });

  it('has a heading for every kind of history entry in both languages', () => {
    for (const key of Object.values(STEP_TITLES)) {
      expect(lookup(inspectZh, key), key).toBeTypeOf('string');
      expect(lookup(inspectEn, key), key).toBeTypeOf('string');
    }
  });

  it('offers no call-back on a walk finding and never the appeal review', () => {
    const next = {
      assign: false,
      moves: [],
      precheck: false,
      review: true,
      callBack: true,
      comment: true,
    };
    const view = (source: 'walk' | 'rating', status = 'found') =>
      ({ problem: { source, status }, next }) as unknown as ProblemView;
    expect(stepsOffered(view('walk'))).toEqual(['comment']);
    expect(stepsOffered(view('rating'))).toEqual(['callBack', 'comment']);
    expect(stepsOffered(view('rating', 'appealing'))).toEqual(['comment']);
  });
});
