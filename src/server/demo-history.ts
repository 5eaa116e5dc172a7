/**
 * Demo history (`npm start -- --demo-history N`): the last N days of a plausible hall, so the
 * console's dashboard, ranking and reports can be tried on a fresh demo hall.
 *
 * Nothing is written around the event log. Devices are enrolled as an operator enrolls them (an
 * evaluator per window, a duty kiosk, an inspection tablet; citizens' phones register with their
 * first rating), each keeps a hash-chained log with its own (past) clock, and the logs are pushed
 * through the same push and phone paths the devices use, in batches. So every projection — the
 * rating rollup, duty sessions, problems and their folds, walks — is what real devices would
 * have produced, and only events the server takes are generated: PIN proofs made as the kiosk
 * makes them, one ticket rated once, a phone rating a window at most once per interval.
 *
 * Numbers come from a small seeded generator: the same days, seed and today give the same counts.
 */
import type { Db } from './db/db';
import {
  addWorkingDays,
  holidayCalendar,
  isWorkingDay,
  type HolidayCalendar,
} from '../domain/calendar';
import { appendToLog, EMPTY_HEAD, type LogHead } from '../domain/device';
import {
  WALK_MODES,
  type EventEnvelope,
  type EventType,
  type LedgerKind,
  type PayloadOf,
  type ProblemStatus,
} from '../domain/events';
import { formatHlc, hlcNode } from '../domain/hlc';
import { newId, type Id } from '../domain/ids';
import { pinHash, pinProof } from '../domain/pin';
import {
  POOR_RATING_REASONS,
  RATING_LEVELS,
  isPoorRating,
  type PoorRatingReason,
  type RatingLevel,
} from '../domain/rating';
import type { Department, HallSettings, Leader } from '../domain/reference';
import { addDays, hallDate, hallDayStartMs, hallTimeMs, isoWeekday } from '../domain/schedule';
import { MAX_PUSH_EVENTS } from '../sync/protocol';
import { MAX_DEMO_HISTORY_DAYS } from './config';
import { signWindow } from './crypto';
import { advanceDeviceLog, consoleWriter, getDevice, lockDevice } from './repos/devices';
import { currentPins, type PinVersion } from './repos/duty';
import { firstHall, lockHall, type HallRow } from './repos/halls';
import {
  getChecklist,
  getHolidayYears,
  getSettings,
  listDepartments,
  listLeaders,
  listWindows,
  type WindowRow,
} from './repos/reference';
import { isoAt } from './repos/util';
import { DEMO_HALL, DEPARTMENTS } from './seed';
import { createEnrollment, redeemEnrollment } from './services/enroll';
import { ingestEvents, type EventHead } from './services/ingest';
import { submitPublicRatings } from './services/public';
import { setLeaderPin } from './services/roster';
import { push } from './services/sync';

/** The PIN demo leaders get when they have none (the console changes it). */
export const DEMO_PIN = '2468';
/** The generator's seed unless told otherwise. */
export const DEMO_SEED = 20_260_101;

export interface DemoHistoryOptions {
  /** Days of history, ending yesterday (hall-local): 1 to {@link MAX_DEMO_HISTORY_DAYS}. */
  days: number;
  seed?: number;
  /** Server time (ms); default Date.now. */
  now?: number;
}

export type DemoHistory =
  | {
      filled: true;
      days: number;
      ratings: number;
      dutySessions: number;
      problems: number;
      walks: number;
      /** Events pushed, over every device. */
      events: number;
      /** Events the server refused (a generator fault: it should stay 0). */
      rejected: number;
      ms: number;
    }
  | {
      filled: false;
      /**
       * `not_demo_hall`: no hall, or a hall set up differently; `has_history`: ratings, duty
       * sessions or walks before today, or the demo's devices (filled, or being filled).
       */
      reason: 'not_demo_hall' | 'has_history';
    };

/** Throws a RangeError unless `days` is a whole number from 1 to MAX_DEMO_HISTORY_DAYS. */
export function checkDemoHistoryDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DEMO_HISTORY_DAYS) {
    throw new RangeError(
      `Demo history must be a whole number of days from 1 to ${MAX_DEMO_HISTORY_DAYS}, not ${days}.`,
    );
  }
}

/** The line printed when a fill is done (or why nothing was added). */
export function demoHistoryLine(h: DemoHistory): string {
  if (!h.filled) {
    return h.reason === 'has_history'
      ? 'Demo history: the demo hall has its history already; nothing added.'
      : 'Demo history: this is not the untouched demo hall; nothing added.';
  }
  return `Demo history: ${h.days} days, ${h.ratings} ratings, ${h.dutySessions} duty sessions, ${h.problems} problems (${(h.ms / 1000).toFixed(1)} s)`;
}

// ---------------------------------------------------------------------------------------------
// A small seeded generator (mulberry32)

class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** An index drawn with the given weights. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------------------------------------
// What the demo hall's citizens, leaders and staff say (stored data, as a hall would enter it)

/** Shares of the five levels, very satisfied first, per department code; t is 0 → 1 over the period. */
const SATISFACTION: Record<string, (t: number) => number[]> = {
  TAX: () => [0.6, 0.28, 0.09, 0.02, 0.01],
  HRSS: () => [0.68, 0.24, 0.065, 0.01, 0.005],
  // 医保 improves over the period: a new queue system and more staff at peak hours.
  MED: (t) => mix([0.45, 0.28, 0.16, 0.07, 0.04], [0.7, 0.23, 0.06, 0.007, 0.003], t),
  HOUSING: () => [0.64, 0.26, 0.08, 0.013, 0.007],
  FUND: () => [0.72, 0.21, 0.06, 0.007, 0.003],
  MARKET: () => [0.66, 0.25, 0.075, 0.01, 0.005],
  // 不动产登记 is the weak one all along.
  REALTY: () => [0.45, 0.3, 0.17, 0.05, 0.03],
  POLICE: () => [0.7, 0.22, 0.07, 0.007, 0.003],
};
const USUAL_SATISFACTION = () => [0.66, 0.25, 0.075, 0.01, 0.005];

function mix(a: readonly number[], b: readonly number[], t: number): number[] {
  return a.map((x, i) => x + (b[i]! - x) * t);
}

/** What citizens tick most at each department. */
const REASON_WEIGHTS: Record<string, Partial<Record<PoorRatingReason, number>>> = {
  TAX: { waited_too_long: 5, system_down: 2 },
  MED: { waited_too_long: 4, unclear_guidance: 3 },
  REALTY: { too_many_documents: 5, had_to_come_back: 4 },
  HOUSING: { too_many_documents: 3 },
};
const POOR_COMMENTS: Record<PoorRatingReason, readonly string[]> = {
  waited_too_long: ['排队等了一个多小时', '叫号太慢，窗口开得太少', '中午只开了一个窗口'],
  too_many_documents: ['材料清单和网上说的不一样', '要求提供的证明太多了'],
  had_to_come_back: ['第三次来了还没办成', '上次没一次性告知，又跑了一趟'],
  unclear_guidance: ['不知道该去哪个窗口', '指引牌看不明白'],
  attitude: ['工作人员不耐烦', '问了两遍就不理人'],
  system_down: ['系统又卡住了，办不了', '网络故障让等着'],
  other: ['停车太难', '自助机打印不了'],
};
const GOOD_COMMENTS = [
  '办事效率高',
  '工作人员很耐心',
  '一次就办好了',
  '指引很清楚，谢谢',
  '比以前快多了',
];

const SOLVED = ['现场协调补齐材料', '当场解答政策疑问', '帮助群众网上预约', '协调加开窗口'];
const COMPLAINTS = [
  '群众反映中午窗口开放少，等候时间长',
  '群众反映材料清单与办事指南不一致',
  '群众反映自助机经常故障',
  '群众反映需多次跑腿才能办结',
];
const SUGGESTIONS = ['建议增加周末服务窗口', '建议在等候区张贴办事流程图', '建议开通线上预审'];

const SERVICE_ITEMS: Record<string, readonly string[]> = {
  TAX: ['个人所得税汇算清缴', '发票领用', '税务登记'],
  HRSS: ['社会保障卡申领', '失业登记', '养老保险关系转移'],
  MED: ['医保关系转移接续', '异地就医备案', '门诊慢特病待遇认定'],
  HOUSING: ['商品房预售许可', '建筑工程施工许可'],
  FUND: ['公积金提取', '公积金贷款申请'],
  MARKET: ['企业设立登记', '食品经营许可'],
  REALTY: ['不动产转移登记', '抵押登记', '不动产权证书补发'],
  POLICE: ['户口迁移', '居住证办理'],
};
const FINDINGS = [
  '办事指南所列材料与窗口实际要求不一致',
  '等候区缺少叫号进度提示',
  '同一证明材料需重复提交',
  '窗口人员未做到一次性告知',
  '网上办理入口不明显，群众仍需到现场',
  '办结时限长于承诺时限',
  '自助终端故障未及时报修',
];
const WALK_SUMMARIES = ['流程基本顺畅，发现问题已登记', '整体有序，个别环节需改进', ''];
const CLOSE_NOTES = ['经核实不属于问题，已向群众解释', '与已登记问题重复'];
const ASSIGNEES = ['窗口负责人', '科室负责人', '综合窗口组长'];

// ---------------------------------------------------------------------------------------------
// Device logs

interface Draft {
  ms: number;
  type: EventType;
  payload: unknown;
  actorId: Id | null;
  id: Id;
}

/** A device's events, made out of time order and put in order once everything is known. */
class DeviceLog {
  readonly drafts: Draft[] = [];
  constructor(
    readonly deviceId: Id,
    readonly hallId: Id,
  ) {}

  add<T extends EventType>(
    ms: number,
    type: T,
    payload: PayloadOf<T>,
    actorId: Id | null = null,
    id: Id = newId(),
  ): Id {
    this.drafts.push({ ms, type, payload, actorId, id });
    return id;
  }

  /** The hash-chained log in time order, continuing `from`, with the device's clock as hlc. */
  chain(from: LogHead = EMPTY_HEAD): { events: EventEnvelope[]; head: LogHead } {
    const sorted = [...this.drafts].sort((a, b) => a.ms - b.ms);
    const node = hlcNode(this.deviceId);
    let head = from;
    let last = -1;
    let counter = 0;
    const events = sorted.map((d) => {
      counter = d.ms === last ? counter + 1 : 0;
      last = d.ms;
      const { event, head: next } = appendToLog(head, {
        id: d.id,
        type: d.type,
        payload: d.payload as PayloadOf<EventType>,
        hallId: this.hallId,
        deviceId: this.deviceId,
        actorId: d.actorId,
        at: isoAt(d.ms),
        hlc: formatHlc({ millis: d.ms, counter, node }),
      });
      head = next;
      return event;
    });
    return { events, head };
  }
}

// ---------------------------------------------------------------------------------------------
// The hall as it stands

interface HallFacts {
  hall: HallRow;
  departments: Department[];
  windows: WindowRow[];
  leaders: Leader[];
  checklist: Id[];
  settings: HallSettings;
  cal: HolidayCalendar;
}

async function hallFacts(db: Db, hall: HallRow): Promise<HallFacts> {
  const [departments, windows, leaders, checklist, { settings }, { holidays }] = await Promise.all([
    listDepartments(db, hall.id),
    listWindows(db, hall.id),
    listLeaders(db, hall.id),
    getChecklist(db, hall.id),
    getSettings(db, hall.id),
    getHolidayYears(db, hall.id),
  ]);
  return {
    hall,
    departments: departments.filter((d) => d.active),
    windows: windows.filter((w) => w.active),
    leaders: leaders.filter((l) => l.active),
    checklist: checklist.filter((c) => c.active).map((c) => c.id),
    settings,
    cal: holidayCalendar(holidays),
  };
}

/** The demo hall as seeded: its name, departments and windows (leaders may have PINs since). */
function isDemoHall(f: HallFacts): boolean {
  if (f.hall.name !== DEMO_HALL.name) return false;
  const codes = f.departments.map((d) => d.code).sort();
  const demoCodes = DEPARTMENTS.map((d) => d.code).sort();
  if (codes.join() !== demoCodes.join()) return false;
  const windows = DEPARTMENTS.reduce((n, d) => n + d.windows, 0);
  return f.windows.length === windows && f.leaders.length > 0 && f.checklist.length > 0;
}

/** Ratings, duty sessions or walks before the hall-local day of `now`. */
async function hasHistory(db: Db, hallId: string, now: number): Promise<boolean> {
  const before = isoAt(hallDayStartMs(hallDate(now)));
  const rows = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ratings WHERE hall_id = $1 AND at < $2)
         OR EXISTS (SELECT 1 FROM duty_sessions WHERE hall_id = $1 AND signed_in_at < $2)
         OR EXISTS (SELECT 1 FROM walks WHERE hall_id = $1 AND started_at < $2)
       AS found`,
    [hallId, before],
  );
  return rows[0]?.found === true;
}

/** Enroll a device the way the console's code and the device's setup page do. */
async function enrollDevice(
  db: Db,
  hallId: string,
  req: { role: 'evaluator' | 'duty_kiosk' | 'inspection_tablet'; windowId?: Id; name: string },
  at: number,
): Promise<Id> {
  const { code } = await createEnrollment(db, hallId, req, at);
  const { deviceId } = await redeemEnrollment(db, { code, name: req.name }, at);
  return deviceId;
}

/** Advisory-lock key that keeps two starts from filling one hall twice. */
const DEMO_HISTORY_LOCK = 7_270_003;
const TABLET_NAME = '督查平板';

/**
 * Enroll the demo's devices — an evaluator per window, the duty kiosk, the inspection tablet —
 * as the hall's claim to fill it: null when it has history already, or its demo tablet (another
 * start is filling it, or one was stopped half-way).
 */
async function enrollDemoDevices(
  db: Db,
  f: HallFacts,
  now: number,
  at: number,
): Promise<Devices | null> {
  return db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DEMO_HISTORY_LOCK]);
    if (await hasHistory(tx, f.hall.id, now)) return null;
    const claimed = await tx.query(
      "SELECT 1 FROM devices WHERE hall_id = $1 AND role = 'inspection_tablet' AND name = $2",
      [f.hall.id, TABLET_NAME],
    );
    if (claimed.length > 0) return null;
    const evaluators = new Map<Id, Id>();
    for (const w of f.windows) {
      const name = `${w.code} 评价器`;
      evaluators.set(
        w.id,
        await enrollDevice(tx, f.hall.id, { role: 'evaluator', windowId: w.id, name }, at),
      );
    }
    return {
      kiosk: await enrollDevice(tx, f.hall.id, { role: 'duty_kiosk', name: '大厅坐班终端' }, at),
      tablet: await enrollDevice(
        tx,
        f.hall.id,
        { role: 'inspection_tablet', name: TABLET_NAME },
        at,
      ),
      evaluators,
    };
  });
}

/** Each leader's PIN hash as a kiosk derives it from the typed demo PIN; leaders without one get it. */
async function leaderPins(
  db: Db,
  f: HallFacts,
  at: number,
): Promise<Map<Id, PinVersion & { derived: string }>> {
  let pins = await currentPins(db, f.hall.id);
  const withPin = new Set(pins.map((p) => p.leaderId));
  for (const l of f.leaders) {
    if (!withPin.has(l.id)) await setLeaderPin(db, f.hall.id, l.id, { pin: DEMO_PIN }, at);
  }
  pins = await currentPins(db, f.hall.id);
  const out = new Map<Id, PinVersion & { derived: string }>();
  for (const p of pins) {
    const derived = await pinHash(DEMO_PIN, p.salt, p.iterations);
    // A leader whose PIN someone changed signs in nowhere in the demo.
    if (derived === p.hash) out.set(p.leaderId, { ...p, derived });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The generator

const MINUTE = 60_000;
/** Citizens' phones that rate a window (each phone keeps to one window's card). */
const PHONES_PER_WINDOW = 4;
const HOUR = 60 * MINUTE;

/** Relative busyness of each opening hour (peaks 9–11 and 14–16). */
const WORKDAY_HOURS: [number, number][] = [
  [9, 1.6],
  [10, 1.8],
  [11, 1.2],
  [12, 0.4],
  [13, 0.6],
  [14, 1.5],
  [15, 1.6],
  [16, 1.0],
];
/** Weekends: mornings only (周末半天服务). */
const WEEKEND_HOURS: [number, number][] = [
  [9, 1.2],
  [10, 1.4],
  [11, 1.0],
];

interface Session {
  id: Id;
  leaderId: Id;
  departmentId: Id;
  windowId: Id | null;
  startMs: number;
  endMs: number;
}

interface PlannedProblem {
  id: Id;
  source: 'rating' | 'walk' | 'duty';
  departmentId: Id;
  recordedMs: number;
}

interface Plan {
  shifts: { ms: number; payload: PayloadOf<'ref.dutyShiftSaved'> }[];
  kiosk: DeviceLog;
  tablet: DeviceLog;
  evaluators: Map<Id, DeviceLog>;
  /** Per window: its phones' logs. */
  phones: Map<Id, DeviceLog[]>;
  /** The console's steps on problems (appeals reviewed). */
  reviews: { ms: number; type: EventType; payload: unknown }[];
  counts: { ratings: number; sessions: number; problems: number; walks: number };
}

interface Devices {
  kiosk: Id;
  tablet: Id;
  evaluators: Map<Id, Id>;
}

/** Time on a working day `k` working days after `ms`'s day, in office hours and after `ms`. */
function workTime(rng: Random, ms: number, k: number, cal: HolidayCalendar): number {
  const from = hallDate(ms);
  const day = addWorkingDays(from, k === 0 && !isWorkingDay(from, cal) ? 1 : k, cal);
  const t =
    hallDayStartMs(day) + rng.int(9 * 60 + 15, 16 * 60 + 45) * MINUTE + rng.int(0, 59) * 1000;
  return t > ms ? t : ms + rng.int(20, 90) * MINUTE;
}

type Pins = Map<Id, PinVersion & { derived: string }>;
type DayKind = 'working' | 'weekend' | 'holiday';

/**
 * The hall's days, one part of its life at a time: the duty roster and sessions first (ratings
 * record the leader on duty), then ratings, walks, and every problem taken through the pipeline.
 * Each part draws from the one generator in a fixed order, so a seed gives the same counts.
 */
class HallHistory {
  readonly plan: Plan;
  readonly #problems: PlannedProblem[] = [];
  readonly #sessions: Session[] = [];
  readonly #signing: Leader[];
  /** When each phone last rated its window. */
  readonly #lastByPhone = new Map<Id, number>();

  constructor(
    private readonly rng: Random,
    private readonly f: HallFacts,
    private readonly pins: Pins,
    devices: Devices,
    private readonly dates: readonly string[],
    /** The start of today: nothing happens from then on. */
    private readonly endMs: number,
  ) {
    const hallId = f.hall.id;
    this.plan = {
      shifts: [],
      kiosk: new DeviceLog(devices.kiosk, hallId),
      tablet: new DeviceLog(devices.tablet, hallId),
      evaluators: new Map(
        f.windows.map((w) => [w.id, new DeviceLog(devices.evaluators.get(w.id)!, hallId)]),
      ),
      phones: new Map(
        f.windows.map((w) => [
          w.id,
          Array.from({ length: PHONES_PER_WINDOW }, () => new DeviceLog(newId(), hallId)),
        ]),
      ),
      reviews: [],
      counts: { ratings: 0, sessions: 0, problems: 0, walks: 0 },
    };
    this.#signing = f.leaders.filter((l) => pins.has(l.id));
  }

  async generate(): Promise<Plan> {
    await this.#duty();
    this.#ratings();
    await this.#walks();
    this.#pipeline();
    return this.plan;
  }

  #kind(date: string): DayKind {
    if (isWorkingDay(date, this.f.cal)) return 'working';
    return this.f.cal[Number(date.slice(0, 4))]?.holidays.includes(date) ? 'holiday' : 'weekend';
  }

  #windowsOf(departmentId: Id): WindowRow[] {
    return this.f.windows.filter((w) => w.departmentId === departmentId);
  }

  #leadersOf(departmentId: Id): Leader[] {
    return this.#signing.filter((l) => l.departmentId === departmentId);
  }

  /** A sign-in's or a walk's PIN version and proof, made as the kiosk makes them. */
  async #pin(leaderId: Id, eventId: Id): Promise<{ pinVersion: number; pinProof: string }> {
    const pin = this.pins.get(leaderId)!;
    return { pinVersion: pin.version, pinProof: await pinProof(pin.derived, eventId) };
  }

  /** 局长坐班: shifts published the Friday before, sessions signed in at the duty kiosk. */
  async #duty(): Promise<void> {
    const { rng, f } = this;
    const rotation = new Map<Id, number>();
    for (const [dayIndex, date] of this.dates.entries()) {
      if (this.#kind(date) !== 'working') continue;
      for (const [di, dept] of f.departments.entries()) {
        const leaders = this.#leadersOf(dept.id);
        // Each department has a leader on duty about three working days a week.
        if (leaders.length === 0 || (dayIndex + di) % 5 >= 3) continue;
        const turn = rotation.get(dept.id) ?? 0;
        rotation.set(dept.id, turn + 1);
        const leader = leaders[turn % leaders.length]!;
        const windows = this.#windowsOf(dept.id);
        const windowId =
          turn % 3 === 2 || windows.length === 0 ? null : windows[turn % windows.length]!.id;
        const morning = rng.chance(0.6);
        const shift = {
          shiftId: newId(),
          leaderId: leader.id,
          departmentId: dept.id,
          windowId,
          date,
          start: morning ? '09:00' : '14:00',
          end: morning ? '12:00' : '17:00',
          published: true,
          active: true,
        };
        const friday = addDays(date, -isoWeekday(date) - 2);
        this.plan.shifts.push({ ms: hallTimeMs(friday, '17:30'), payload: shift });
        const startMs = hallTimeMs(date, shift.start);
        const r = rng.next();
        if (r >= 0.9) continue; // missed
        const signInMs =
          r < 0.8
            ? startMs + rng.int(-12, 10) * MINUTE + rng.int(0, 59) * 1000
            : startMs + rng.int(20, 70) * MINUTE; // late
        const endMs = hallTimeMs(date, shift.end);
        await this.#session(leader, dept.id, windowId, shift.shiftId, signInMs, endMs);
      }
      // Now and then a leader comes without a shift.
      if (rng.chance(0.2) && this.#signing.length > 0) {
        const leader = rng.pick(this.#signing);
        const startMs = hallTimeMs(date, '10:00') + rng.int(0, 90) * MINUTE;
        const endMs = startMs + rng.int(60, 120) * MINUTE;
        await this.#session(leader, leader.departmentId, null, null, startMs, endMs);
      }
    }
  }

  /** One duty session: sign-in with the PIN, the ledger (坐班台账), sign-out. */
  async #session(
    leader: Leader,
    departmentId: Id,
    windowId: Id | null,
    shiftId: Id | null,
    signInMs: number,
    plannedEndMs: number,
  ): Promise<void> {
    const { rng } = this;
    const kiosk = this.plan.kiosk;
    const sessionId = newId();
    const eventId = newId();
    const method = rng.chance(0.3) ? 'badge_pin' : 'pin';
    kiosk.add(
      signInMs,
      'duty.signedIn',
      {
        sessionId,
        leaderId: leader.id,
        departmentId,
        windowId,
        shiftId,
        method,
        ...(await this.#pin(leader.id, eventId)),
      },
      leader.id,
      eventId,
    );
    this.plan.counts.sessions++;
    const outMs = Math.max(signInMs + 45 * MINUTE, plannedEndMs + rng.int(-15, 15) * MINUTE);
    const ledger = (kind: LedgerKind, count: number, text: string, followUp = false) => {
      const ms = signInMs + rng.int(5, Math.floor((outMs - signInMs) / MINUTE) - 5) * MINUTE;
      const entryId = newId();
      const entry = { sessionId, entryId, kind, count, text, needsFollowUp: followUp };
      kiosk.add(ms, 'duty.ledgerEntry', entry, leader.id);
      if (!followUp) return;
      const problemId = newId();
      const severity = rng.chance(0.3) ? 'high' : 'medium';
      kiosk.add(
        ms + 1000,
        'problem.recorded',
        {
          problemId,
          source: 'duty',
          sourceId: entryId,
          departmentId,
          windowId,
          description: text,
          severity,
        },
        leader.id,
      );
      this.#problems.push({ id: problemId, source: 'duty', departmentId, recordedMs: ms + 1000 });
    };
    ledger('served', rng.int(6, 30), '');
    ledger('cases', rng.int(3, 18), '');
    if (rng.chance(0.6)) ledger('solved', rng.int(1, 3), rng.pick(SOLVED));
    if (rng.chance(0.25)) ledger('complaint', 1, rng.pick(COMPLAINTS), rng.chance(0.6));
    if (rng.chance(0.2)) ledger('suggestion', 1, rng.pick(SUGGESTIONS), rng.chance(0.3));
    const session = { id: sessionId, leaderId: leader.id, departmentId, windowId };
    if (rng.chance(0.08)) {
      // Forgot to sign out: the kiosk closes the session when it starts the next morning, and
      // until that day's end the leader counts as on duty.
      const nextDay = addDays(hallDate(signInMs), 1);
      const closeMs = hallTimeMs(nextDay, '08:25');
      if (closeMs < this.endMs) {
        kiosk.add(closeMs, 'duty.signedOut', { sessionId, reason: 'end_of_day' });
      }
      this.#sessions.push({ ...session, startMs: signInMs, endMs: hallDayStartMs(nextDay) });
      return;
    }
    kiosk.add(outMs, 'duty.signedOut', { sessionId, reason: 'manual' }, leader.id);
    this.#sessions.push({ ...session, startMs: signInMs, endMs: outMs });
  }

  /** The session a window's evaluator shows at `ms`: its own window's first, as the evaluator does. */
  #onDuty(w: WindowRow, ms: number): Session | null {
    let department: Session | null = null;
    for (const s of this.#sessions) {
      if (s.departmentId !== w.departmentId || ms < s.startMs || ms >= s.endMs) continue;
      if (s.windowId === w.id) return s;
      if (s.windowId === null) department = s;
    }
    return department;
  }

  /** 好差评 at every window: busier on working days and at the peaks, closed on holidays. */
  #ratings(): void {
    const { rng, f, dates } = this;
    const busyness = new Map(f.windows.map((w) => [w.id, 25 + rng.next() * 30]));
    const code = new Map(f.departments.map((d) => [d.id, d.code]));
    for (const [dayIndex, date] of dates.entries()) {
      const kind = this.#kind(date);
      if (kind === 'holiday') continue;
      // How far into the period (0 → 1), for the department that improves.
      const t = dates.length > 1 ? dayIndex / (dates.length - 1) : 1;
      const hours = kind === 'working' ? WORKDAY_HOURS : WEEKEND_HOURS;
      const hourWeights = hours.map(([, w]) => w);
      for (const w of f.windows) {
        const share = kind === 'working' ? 0.8 + rng.next() * 0.4 : 0.2 + rng.next() * 0.1;
        const n = Math.round(busyness.get(w.id)! * share);
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const hour = hours[rng.weighted(hourWeights)]![0];
          times.push(hallDayStartMs(date) + hour * HOUR + rng.int(0, 3599) * 1000);
        }
        times.sort((a, b) => a - b);
        const tickets = { date: date.replaceAll('-', ''), next: 1 };
        for (const ms of times) this.#rating(w, code.get(w.departmentId) ?? '', ms, t, tickets);
      }
    }
  }

  /** One rating at a window, on its evaluator or from one of its citizens' phones. */
  #rating(
    w: WindowRow,
    departmentCode: string,
    ms: number,
    t: number,
    tickets: { date: string; next: number },
  ): void {
    const { rng } = this;
    const session = this.#onDuty(w, ms);
    let shares = (SATISFACTION[departmentCode] ?? USUAL_SATISFACTION)(t);
    // With a leader of the department on duty, somewhat fewer 差评.
    if (session) {
      const [vs, s, bs, d, vd] = shares as [number, number, number, number, number];
      shares = [vs + (d + vd) * 0.35, s, bs, d * 0.65, vd * 0.65];
    }
    const level: RatingLevel = RATING_LEVELS[rng.weighted(shares)]!;
    const poor = isPoorRating(level);
    const reasons: PoorRatingReason[] = [];
    let comment = '';
    if (poor) {
      const weights = POOR_RATING_REASONS.map((r) => REASON_WEIGHTS[departmentCode]?.[r] ?? 1);
      const first = POOR_RATING_REASONS[rng.weighted(weights)]!;
      reasons.push(first);
      if (rng.chance(0.3)) {
        const second = POOR_RATING_REASONS[rng.weighted(weights)]!;
        if (second !== first) reasons.push(second);
      }
      if (rng.chance(0.5)) comment = rng.pick(POOR_COMMENTS[first]);
    } else if (rng.chance(0.05)) {
      comment = rng.pick(GOOD_COMMENTS);
    }
    const qr = rng.chance(0.38);
    const ticket = rng.chance(qr ? 0.3 : 0.55)
      ? `${w.code}-${tickets.date}-${String(tickets.next++).padStart(3, '0')}`
      : null;
    const rating = {
      windowId: w.id,
      departmentId: w.departmentId,
      level,
      reasons,
      comment,
      ticket,
    };
    let id: Id;
    if (qr) {
      const phone = this.#phoneFor(w, ms);
      if (!phone) return;
      id = phone.add(ms, 'rating.submitted', {
        ...rating,
        channel: 'qr',
        phoneId: phone.deviceId,
        dutySessionId: null,
      });
    } else {
      id = this.plan.evaluators.get(w.id)!.add(ms, 'rating.submitted', {
        ...rating,
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: session?.id ?? null,
      });
    }
    this.plan.counts.ratings++;
    if (poor) {
      this.#problems.push({ id, source: 'rating', departmentId: w.departmentId, recordedMs: ms });
    }
  }

  /** A phone of the window's citizens that has not rated it within the hall's interval. */
  #phoneFor(w: WindowRow, ms: number): DeviceLog | null {
    const phones = this.plan.phones.get(w.id)!;
    const intervalMs = this.f.settings.phoneRatingIntervalMinutes * MINUTE;
    const start = this.rng.int(0, phones.length - 1);
    for (let k = 0; k < phones.length; k++) {
      const phone = phones[(start + k) % phones.length]!;
      if (ms - (this.#lastByPhone.get(phone.deviceId) ?? -Infinity) > intervalMs) {
        this.#lastByPhone.set(phone.deviceId, ms);
        return phone;
      }
    }
    return null;
  }

  /** 局长走流程: a few walks a week on the inspection tablet, findings recorded as problems. */
  async #walks(): Promise<void> {
    const { rng, f } = this;
    const tablet = this.plan.tablet;
    for (const date of this.dates) {
      if (this.#kind(date) !== 'working' || !rng.chance(0.55) || this.#signing.length === 0) {
        continue;
      }
      const leader = rng.pick(this.#signing);
      const dept = rng.pick(f.departments);
      const windows = this.#windowsOf(dept.id);
      const walkId = newId();
      const eventId = newId();
      let ms = hallTimeMs(date, rng.chance(0.5) ? '10:00' : '14:30') + rng.int(0, 40) * MINUTE;
      tablet.add(
        ms,
        'walk.started',
        {
          walkId,
          mode: rng.pick(WALK_MODES),
          leaderId: leader.id,
          departmentId: dept.id,
          windowId: windows.length > 0 && rng.chance(0.7) ? rng.pick(windows).id : null,
          serviceItem: rng.pick(SERVICE_ITEMS[dept.code] ?? ['']),
          ...(await this.#pin(leader.id, eventId)),
        },
        leader.id,
        eventId,
      );
      this.plan.counts.walks++;
      const findingShare = dept.code === 'REALTY' ? 0.12 : 0.05;
      for (const itemId of f.checklist) {
        ms += rng.int(30, 150) * 1000;
        const result = rng.chance(findingShare) ? 'problem' : rng.chance(0.1) ? 'na' : 'fine';
        const note = result === 'problem' ? rng.pick(FINDINGS) : '';
        tablet.add(ms, 'walk.checked', { walkId, itemId, result, note }, leader.id);
        if (result !== 'problem') continue;
        ms += rng.int(20, 60) * 1000;
        const problemId = newId();
        const finding = {
          problemId,
          source: 'walk' as const,
          sourceId: newId(),
          departmentId: dept.id,
          windowId: null,
          description: note,
          severity: rng.pick(['low', 'medium', 'high'] as const),
          walkId,
          checklistItemId: itemId,
        };
        tablet.add(ms, 'problem.recorded', finding, leader.id);
        this.#problems.push({
          id: problemId,
          source: 'walk',
          departmentId: dept.id,
          recordedMs: ms,
        });
      }
      const summary = rng.pick(WALK_SUMMARIES);
      tablet.add(ms + rng.int(1, 5) * MINUTE, 'walk.ended', { walkId, summary }, leader.id);
    }
  }

  /** Every problem taken as far along the pipeline as the days since allow. */
  #pipeline(): void {
    for (const p of this.#problems) {
      // Steps on the tablet are taken by the department's leader signed in there.
      const actor = this.#leadersOf(p.departmentId)[0]?.id ?? null;
      for (const step of pipeline(this.rng, p, this.f, this.endMs)) {
        if (step.console) this.plan.reviews.push(step);
        else this.plan.tablet.add(step.ms, step.type, step.payload as PayloadOf<EventType>, actor);
      }
    }
    this.plan.counts.problems = this.#problems.length;
  }
}

/** A step on a problem: on the inspection tablet, or (the review of an appeal) on the console. */
interface PlannedStep {
  ms: number;
  console: boolean;
  type: EventType;
  payload: unknown;
}

/**
 * The steps one problem goes through, as far as they happened before the history ends (`endMs`):
 * the first step that would fall later, and all after it, are left out, so recent problems are
 * still open and a problem left lying runs overdue.
 */
function pipeline(rng: Random, p: PlannedProblem, f: HallFacts, endMs: number): PlannedStep[] {
  const steps: PlannedStep[] = [];
  let ms = p.recordedMs;
  /** Add a step at `at`, or shortly after the previous one if `at` is not later. */
  const add = <T extends EventType>(
    at: number,
    type: T,
    payload: PayloadOf<T>,
    console = false,
  ) => {
    ms = at > ms ? at : ms + rng.int(30, 120) * MINUTE;
    steps.push({ ms, console, type, payload });
  };
  const after = (k: number) => workTime(rng, ms, k, f.cal);
  const problemId = p.id;
  const noPhotos = { photos: [] };
  const days =
    p.source === 'rating'
      ? f.settings.ratingRectifyDays
      : p.source === 'walk'
        ? f.settings.walkRectifyDays
        : f.settings.dutyRectifyDays;
  const plan = (): void => {
    if (p.source === 'rating') {
      if (rng.chance(0.07)) {
        // Disputed as mistaken or malicious, then reviewed by the hall's administrators.
        const verdict = rng.chance(0.7) ? 'mistaken' : 'malicious';
        const note =
          verdict === 'mistaken' ? '评价人误操作，申请复核' : '评价内容与办件情况不符，申请复核';
        add(after(rng.int(0, 1)), 'problem.prechecked', {
          problemId,
          from: 'found',
          verdict,
          note,
        });
        const upheld = rng.chance(0.6);
        const review = upheld ? '经调取录像核实，申诉成立，不计入差评' : '申诉理由不充分，维持差评';
        add(
          after(rng.int(2, 4)),
          'problem.reviewed',
          { problemId, from: 'appealing', upheld, note: review },
          true,
        );
        if (upheld) return;
      } else if (rng.chance(0.5)) {
        add(after(0), 'problem.prechecked', {
          problemId,
          from: 'found',
          verdict: 'valid',
          note: '',
        });
      }
    }
    const assignee = rng.pick(ASSIGNEES);
    const departmentId = p.departmentId;
    add(after(rng.int(0, 1)), 'problem.assigned', {
      problemId,
      from: 'found',
      departmentId,
      assignee,
      note: '',
    });
    // Some are left lying once assigned: no call-back, no rectification; they run overdue.
    if (rng.chance(0.06)) return;
    if (p.source === 'rating') {
      // 回访 within a working day mostly; a few later, a few not reached at first.
      const late = rng.chance(0.1);
      if (rng.chance(0.12)) {
        const note = '电话未接通';
        add(after(late ? 2 : 0), 'problem.calledBack', {
          problemId,
          reached: false,
          satisfied: null,
          note,
        });
      }
      const satisfied = rng.chance(0.8);
      const note = satisfied ? '群众对处理结果表示满意' : '群众仍有意见，继续跟进';
      add(after(late ? rng.int(2, 3) : 0), 'problem.calledBack', {
        problemId,
        reached: true,
        satisfied,
        note,
      });
    }
    if (p.source !== 'rating' && rng.chance(0.08)) {
      const note = rng.pick(CLOSE_NOTES);
      add(after(rng.int(1, 3)), 'problem.statusChanged', {
        problemId,
        from: 'assigned',
        to: 'closed',
        note,
        ...noPhotos,
      });
      return;
    }
    const move = (
      k: number,
      from: ProblemStatus,
      to: 'rectifying' | 'rectified' | 'verified',
      note: string,
    ) => add(after(k), 'problem.statusChanged', { problemId, from, to, note, ...noPhotos });
    move(rng.int(1, 3), 'assigned', 'rectifying', '已制定整改措施');
    if (rng.chance(0.2)) {
      add(after(rng.int(1, 2)), 'problem.commented', {
        problemId,
        note: '整改进行中，已召开窗口专题会',
        ...noPhotos,
      });
    }
    // Rectified within the due days counted from the recording, a few of them late.
    const due = rng.chance(0.1) ? days + rng.int(1, 5) : rng.int(1, Math.max(1, days - 5));
    add(workTime(rng, p.recordedMs, due, f.cal), 'problem.statusChanged', {
      problemId,
      from: 'rectifying',
      to: 'rectified',
      note: '已完成整改',
      ...noPhotos,
    });
    if (rng.chance(0.06)) {
      // Verification failed once: back to rectifying, then rectified again.
      move(rng.int(1, 2), 'rectified', 'rectifying', '复查未通过，需继续整改');
      move(rng.int(1, 3), 'rectifying', 'rectified', '已按复查意见整改');
    }
    if (rng.chance(0.75)) move(rng.int(1, 4), 'rectified', 'verified', '复查通过');
  };
  plan();
  const cut = steps.findIndex((s) => s.ms >= endMs);
  return cut < 0 ? steps : steps.slice(0, cut);
}

// ---------------------------------------------------------------------------------------------
// Writing: every log through the path its device uses

/** Events pushed, and how many of them the server refused (a fault of the generator). */
interface Tally {
  events: number;
  rejected: number;
}

function tally(t: Tally, results: readonly { status: string }[]): void {
  t.events += results.length;
  t.rejected += results.filter((r) => r.status === 'rejected').length;
}

/** A device pushes its log in batches, each shortly after the batch's last event. */
async function pushLog(db: Db, log: DeviceLog, t: Tally): Promise<void> {
  const device = await getDevice(db, log.deviceId);
  if (!device) throw new Error(`demo device ${log.deviceId} is not enrolled`);
  const { events } = log.chain();
  for (let i = 0; i < events.length; i += MAX_PUSH_EVENTS) {
    const batch = events.slice(i, i + MAX_PUSH_EVENTS);
    const sentAt = Date.parse(batch.at(-1)!.at) + 20_000;
    const pending = events.length - i - batch.length;
    const body = { deviceId: log.deviceId, events: batch, pending };
    tally(t, (await push(db, device, body, () => sentAt)).results);
  }
}

/** A citizen's phone sends its ratings of one window card in batches. */
async function pushPhone(db: Db, window: WindowRow, sig: string, log: DeviceLog, t: Tally) {
  const { events } = log.chain();
  for (let i = 0; i < events.length; i += MAX_PUSH_EVENTS) {
    const batch = events.slice(i, i + MAX_PUSH_EVENTS);
    const sentAt = Date.parse(batch.at(-1)!.at) + 5_000;
    const body = { windowCode: window.code, sig, events: batch };
    tally(t, (await submitPublicRatings(db, body, () => sentAt)).results);
  }
}

/**
 * The console's own writes at the times they were made — the published schedule, the review of
 * appeals — appended to the hall's console log and taken through ingest as the console's are.
 */
async function writeConsoleAt(
  db: Db,
  hallId: Id,
  writes: readonly { ms: number; type: EventType; payload: unknown }[],
  t: Tally,
  actorId: Id | null = null,
): Promise<void> {
  const sorted = [...writes].sort((a, b) => a.ms - b.ms);
  for (let i = 0; i < sorted.length; i += MAX_PUSH_EVENTS) {
    const chunk = sorted.slice(i, i + MAX_PUSH_EVENTS);
    await db.tx(async (tx) => {
      const found = await consoleWriter(tx, hallId);
      const writer = found ? await lockDevice(tx, found.id) : null;
      if (!writer) throw new Error(`hall ${hallId} has no console writer`);
      await lockHall(tx, hallId);
      const log = new DeviceLog(writer.id, hallId);
      for (const w of chunk) log.add(w.ms, w.type, w.payload as PayloadOf<EventType>, actorId);
      const { events, head } = log.chain({ seq: writer.lastSeq, hash: writer.lastHash });
      const now = chunk.at(-1)!.ms;
      const ingested = await ingestEvents(tx, writer, events as unknown as EventHead[], {
        now,
        lastHash: writer.lastHash,
        checkChain: true,
      });
      await advanceDeviceLog(tx, writer.id, { lastSeq: head.seq, lastHash: head.hash }, isoAt(now));
      tally(
        t,
        ingested.map((r) => r.outcome),
      );
    });
  }
}

/**
 * Fill the demo hall with `days` days of history ending yesterday (hall-local), unless it is not
 * the untouched demo hall or already has history before today. Throws a RangeError for a bad
 * number of days.
 */
export async function fillDemoHistory(db: Db, options: DemoHistoryOptions): Promise<DemoHistory> {
  checkDemoHistoryDays(options.days);
  const started = performance.now();
  const now = options.now ?? Date.now();
  const hall = await firstHall(db);
  if (!hall) return { filled: false, reason: 'not_demo_hall' };
  const facts = await hallFacts(db, hall);
  if (!isDemoHall(facts)) return { filled: false, reason: 'not_demo_hall' };

  const today = hallDate(now);
  const endMs = hallDayStartMs(today);
  const dates = Array.from({ length: options.days }, (_, i) => addDays(today, i - options.days));
  const setUpMs = hallTimeMs(addDays(dates[0]!, -3), '16:00');

  const devices = await enrollDemoDevices(db, facts, now, setUpMs);
  if (!devices) return { filled: false, reason: 'has_history' };
  const pins = await leaderPins(db, facts, setUpMs);

  const rng = new Random(options.seed ?? DEMO_SEED);
  const plan = await new HallHistory(rng, facts, pins, devices, dates, endMs).generate();

  // Each log after what it depends on: shifts before sign-ins, problems before their steps.
  const t: Tally = { events: 0, rejected: 0 };
  const shifts = plan.shifts.map((s) => ({ ...s, type: 'ref.dutyShiftSaved' as const }));
  await writeConsoleAt(db, hall.id, shifts, t);
  await pushLog(db, plan.kiosk, t);
  for (const w of facts.windows) {
    await pushLog(db, plan.evaluators.get(w.id)!, t);
    const sig = signWindow(hall.secret, w.code);
    for (const phone of plan.phones.get(w.id)!) await pushPhone(db, w, sig, phone, t);
  }
  await pushLog(db, plan.tablet, t);
  // Appeals are reviewed by the hall's administrator.
  const admins = await db.query<{ id: string }>(
    'SELECT id FROM admins WHERE hall_id = $1 ORDER BY created_at, id LIMIT 1',
    [hall.id],
  );
  await writeConsoleAt(db, hall.id, plan.reviews, t, admins[0]?.id ?? null);

  return {
    filled: true,
    days: options.days,
    ratings: plan.counts.ratings,
    dutySessions: plan.counts.sessions,
    problems: plan.counts.problems,
    walks: plan.counts.walks,
    events: t.events,
    rejected: t.rejected,
    ms: performance.now() - started,
  };
}
