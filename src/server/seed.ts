/**
 * The demo hall a fresh server starts with: a 市民服务中心 with eight departments, their windows
 * and leaders (by role), all written as ref.* events through the console's own log, an
 * administrator with a random password, and an enrollment code for one evaluator tablet.
 */
import type { Db } from './db/db';
import { DEFAULT_CHECKLIST } from '../domain/checklist';
import type { EventType } from '../domain/events';
import { newId } from '../domain/ids';
import { newHallSecret, signWindow } from './crypto';
import { insertHall, firstHall } from './repos/halls';
import { backfillProblems } from './repos/problems';
import { isoAt } from './repos/util';
import { resetAdminPassword, ratingPath } from './services/admin';
import { createConsoleWriter, writeConsoleEvents, type RefWrite } from './services/console-writer';
import { createEnrollment, type Enrollment } from './services/enroll';

export interface DemoDepartment {
  letter: string;
  code: string;
  name: string;
  nameEn: string;
  windows: number;
  leaders: [string, string][];
}

export const DEPARTMENTS: DemoDepartment[] = [
  {
    letter: 'A',
    code: 'TAX',
    name: '税务',
    nameEn: 'Taxation',
    windows: 6,
    leaders: [
      ['税务局局长', 'Director of the Tax Bureau'],
      ['税务局副局长', 'Deputy Director of the Tax Bureau'],
    ],
  },
  {
    letter: 'B',
    code: 'HRSS',
    name: '人社',
    nameEn: 'Human Resources and Social Security',
    windows: 4,
    leaders: [
      ['人力资源和社会保障局局长', 'Director of the Human Resources and Social Security Bureau'],
      [
        '人力资源和社会保障局副局长',
        'Deputy Director of the Human Resources and Social Security Bureau',
      ],
    ],
  },
  {
    letter: 'C',
    code: 'MED',
    name: '医保',
    nameEn: 'Medical Insurance',
    windows: 4,
    leaders: [['医疗保障局局长', 'Director of the Healthcare Security Bureau']],
  },
  {
    letter: 'D',
    code: 'HOUSING',
    name: '住建',
    nameEn: 'Housing and Urban-Rural Development',
    windows: 3,
    leaders: [
      ['住房和城乡建设局局长', 'Director of the Housing and Urban-Rural Development Bureau'],
      [
        '住房和城乡建设局副局长',
        'Deputy Director of the Housing and Urban-Rural Development Bureau',
      ],
    ],
  },
  {
    letter: 'E',
    code: 'FUND',
    name: '公积金',
    nameEn: 'Housing Provident Fund',
    windows: 3,
    leaders: [['住房公积金管理中心主任', 'Director of the Housing Provident Fund Centre']],
  },
  {
    letter: 'F',
    code: 'MARKET',
    name: '市场监管',
    nameEn: 'Market Regulation',
    windows: 4,
    leaders: [
      ['市场监督管理局局长', 'Director of the Market Regulation Bureau'],
      ['市场监督管理局副局长', 'Deputy Director of the Market Regulation Bureau'],
    ],
  },
  {
    letter: 'G',
    code: 'REALTY',
    name: '不动产登记',
    nameEn: 'Real Estate Registration',
    windows: 3,
    leaders: [['不动产登记中心主任', 'Director of the Real Estate Registration Centre']],
  },
  {
    letter: 'H',
    code: 'POLICE',
    name: '公安户政',
    nameEn: 'Household Registration (Public Security)',
    windows: 2,
    leaders: [['公安局户政科科长', 'Head of the Household Registration Section']],
  },
];

export const DEMO_HALL = { name: '市民服务中心', nameEn: 'Citizen Service Center' };
export const ADMIN_USERNAME = 'admin';

export interface SeededDepartment {
  id: string;
  code: string;
  name: string;
  nameEn: string;
}

export interface SeededWindow {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  departmentId: string;
  departmentCode: string;
  /** Card signature for this window. */
  sig: string;
  /** `/r/<code>?s=<sig>` */
  ratingPath: string;
}

export interface SeededLeader {
  id: string;
  departmentId: string;
  title: string;
  titleEn: string;
  /** Printed as a QR on the leader's badge: `<department code>-<n>`. */
  badgeCode: string;
}

export interface DemoSeed {
  hall: { id: string; name: string; nameEn: string };
  admin: { username: string; password: string };
  departments: SeededDepartment[];
  windows: SeededWindow[];
  leaders: SeededLeader[];
  /** One-time codes for demo evaluator tablets (the first is bound to the first window). */
  enrollments: (Enrollment & { windowCode: string })[];
}

/** The default walk checklist as the console writes it into a hall: sort 10, 20, … */
function defaultChecklist(): RefWrite[] {
  return DEFAULT_CHECKLIST.map((item, i): RefWrite<'ref.checklistItemSaved'> => ({
    type: 'ref.checklistItemSaved',
    payload: { itemId: newId(), ...item, sort: (i + 1) * 10, active: true },
  })) as unknown as RefWrite[];
}

/** Advisory-lock key that keeps two processes starting together from seeding twice. */
const SEED_LOCK = 7_270_002;

/** Create the demo hall when the database has no hall yet; null when it already has one. */
export async function seedDemoHall(db: Db, now: number): Promise<DemoSeed | null> {
  return db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    if (await firstHall(tx)) return null;

    const hall = { id: newId(), ...DEMO_HALL, secret: newHallSecret() };
    await insertHall(tx, hall, isoAt(now));
    await createConsoleWriter(tx, hall.id, now);

    const departments: SeededDepartment[] = [];
    const windows: SeededWindow[] = [];
    const leaders: SeededLeader[] = [];
    const writes: RefWrite[] = [
      { type: 'ref.hallSaved', payload: { name: hall.name, nameEn: hall.nameEn } },
      {
        type: 'ref.settingsSaved',
        payload: { phoneRatingIntervalMinutes: 10, kioskIdleSeconds: 30, levelCodeMap: 'national' },
      },
    ];
    const write = <T extends EventType>(w: RefWrite<T>) => writes.push(w as unknown as RefWrite);

    DEPARTMENTS.forEach((d, i) => {
      const dept = { id: newId(), code: d.code, name: d.name, nameEn: d.nameEn };
      departments.push(dept);
      write({
        type: 'ref.departmentSaved',
        payload: {
          departmentId: dept.id,
          code: d.code,
          name: d.name,
          nameEn: d.nameEn,
          sort: (i + 1) * 10,
          active: true,
        },
      });
      for (let n = 1; n <= d.windows; n++) {
        const code = `${d.letter}${String(n).padStart(2, '0')}`;
        const sig = signWindow(hall.secret, code);
        const w = {
          id: newId(),
          code,
          name: `${code} 窗口`,
          nameEn: `Window ${code}`,
          departmentId: dept.id,
          departmentCode: d.code,
          sig,
          ratingPath: ratingPath(hall.secret, code),
        };
        windows.push(w);
        write({
          type: 'ref.windowSaved',
          payload: {
            windowId: w.id,
            departmentId: dept.id,
            code,
            name: w.name,
            nameEn: w.nameEn,
            sort: (i + 1) * 100 + n,
            active: true,
          },
        });
      }
      d.leaders.forEach(([title, titleEn], n) => {
        const badgeCode = `${d.code}-${n + 1}`;
        const leader = { id: newId(), departmentId: dept.id, title, titleEn, badgeCode };
        leaders.push(leader);
        write({
          type: 'ref.leaderSaved',
          payload: {
            leaderId: leader.id,
            departmentId: dept.id,
            title,
            titleEn,
            badgeCode,
            active: true,
          },
        });
      });
    });
    writes.push(...defaultChecklist());
    await writeConsoleEvents(tx, hall.id, writes, now);

    const password = await resetAdminPassword(tx, hall.id, ADMIN_USERNAME, now);
    const first = windows[0]!;
    const enrollment = await createEnrollment(
      tx,
      hall.id,
      { role: 'evaluator', windowId: first.id, name: `${first.code} 评价器` },
      now,
    );

    return {
      hall: { id: hall.id, name: hall.name, nameEn: hall.nameEn },
      admin: { username: ADMIN_USERNAME, password },
      departments,
      windows,
      leaders,
      enrollments: [{ ...enrollment, windowCode: first.code }],
    };
  });
}

/** What {@link upgradeHalls} did. */
export interface HallUpgrade {
  /** Halls that had no walk checklist and were given the default one. */
  checklists: string[];
  /** Problems projected that had no row, or a row never folded (差评 stored before the pipeline). */
  problems: number;
}

/**
 * Bring halls stored by an earlier version up to this one, at every start (idempotent): a hall
 * without a walk checklist gets the default items, written through its console log like any
 * checklist change, and 差评 stored before the pipeline existed become problems. Holiday years
 * are not written: the shipped years are the default and a hall's own years override them.
 */
export async function upgradeHalls(db: Db, now: number): Promise<HallUpgrade> {
  return db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    const halls = await tx.query<{ id: string }>(
      `SELECT id FROM halls h
       WHERE NOT EXISTS (SELECT 1 FROM checklist_items c WHERE c.hall_id = h.id)
       ORDER BY id`,
    );
    for (const { id } of halls) await writeConsoleEvents(tx, id, defaultChecklist(), now);
    const problems = await backfillProblems(tx, isoAt(now));
    return { checklists: halls.map((h) => h.id), problems };
  });
}
