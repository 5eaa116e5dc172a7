/**
 * A small fixed hall for the figures suites, written through the real ingest path: ratings from
 * evaluator tablets at chosen hall-local times, duty shifts and sessions from the console and a
 * duty kiosk, walk findings, a duty item and 差评 taken through the pipeline's steps.
 */
import { expect } from 'vitest';
import type { ProblemStepType, PayloadOf } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import type { PoorRatingReason, RatingLevel } from '../../src/domain/rating';
import type { BackendName } from '../support/databases';
import { PipelineHall, PIN } from './console-support';
import { enrollRole, signInEvent, signOutEvent } from './duty-support';
import { enrollDevice, type TestDevice } from './helpers';

/** The instant of a hall-local date and time, `YYYY-MM-DD HH:MM` (UTC+8). */
export const local = (when: string): number => Date.parse(`${when.replace(' ', 'T')}:00+08:00`);

export class FiguresHall {
  private evaluators = new Map<string, TestDevice>();
  kiosk!: TestDevice;

  private constructor(readonly hall: PipelineHall) {}

  static async open(backend: BackendName, start: string): Promise<FiguresHall> {
    const hall = await PipelineHall.open(backend, local(start));
    const figures = new FiguresHall(hall);
    figures.kiosk = await enrollRole(hall.server, 'duty_kiosk', () => hall.clock);
    return figures;
  }

  close(): Promise<void> {
    return this.hall.close();
  }

  get server() {
    return this.hall.server;
  }

  at(when: string): this {
    this.hall.at(local(when));
    return this;
  }

  department(code: string) {
    return this.hall.department(code);
  }

  private async evaluator(windowCode: string): Promise<TestDevice> {
    let device = this.evaluators.get(windowCode);
    if (!device) {
      device = await enrollDevice(this.server, windowCode, () => this.hall.clock);
      this.evaluators.set(windowCode, device);
    }
    return device;
  }

  /** A rating at a window's evaluator at a hall-local time; answers its id (a 差评's problem). */
  async rate(
    windowCode: string,
    when: string,
    level: RatingLevel,
    reasons: PoorRatingReason[] = [],
    comment = '',
  ): Promise<string> {
    this.at(when);
    const device = await this.evaluator(windowCode);
    const e = this.hall.append(
      device,
      'rating.submitted',
      device.ratingPayload(this.server, { level, reasons, comment }),
    );
    await this.hall.push(device, [e]);
    return e.id;
  }

  /** A duty shift scheduled from the console. */
  async shift(title: string, date: string, start: string, end: string): Promise<void> {
    await this.hall.admin.ok('/api/v1/admin/shifts', {
      leaderId: this.hall.leader(title).id,
      date,
      start,
      end,
      published: true,
    });
  }

  /** A leader signs in at the duty kiosk at a hall-local time; answers the session id. */
  async signIn(title: string, when: string): Promise<string> {
    const leader = this.hall.leader(title);
    const record = this.hall.pins.find((p) => p.leaderId === leader.id);
    if (!record) throw new Error(`no PIN downloaded for ${title}`);
    this.at(when);
    const e = await signInEvent(this.kiosk, {
      leaderId: leader.id,
      departmentId: leader.departmentId,
      pin: PIN,
      record,
      at: new Date(local(when)).toISOString(),
    });
    await this.hall.push(this.kiosk, [e]);
    return (e.payload as { sessionId: string }).sessionId;
  }

  async signOut(sessionId: string, when: string): Promise<void> {
    this.at(when);
    const at = new Date(local(when)).toISOString();
    await this.hall.push(this.kiosk, [signOutEvent(this.kiosk, sessionId, at)]);
  }

  /** A walk finding of the leader's department, recorded at a hall-local time. */
  async finding(title: string, when: string): Promise<string> {
    this.at(when);
    const leader = this.hall.leader(title);
    const walkId = await this.hall.startWalk(title);
    return this.hall.finding({ walkId, leaderId: leader.id, departmentId: leader.departmentId });
  }

  /** A duty item marked for follow-up, recorded by the kiosk at a hall-local time. */
  async dutyItem(departmentCode: string, when: string): Promise<string> {
    this.at(when);
    const problemId = newId();
    await this.hall.push(this.kiosk, [
      this.hall.append(this.kiosk, 'problem.recorded', {
        problemId,
        source: 'duty',
        sourceId: newId(),
        departmentId: this.department(departmentCode).id,
        windowId: null,
        description: '等候区座位不足',
        severity: 'medium',
      }),
    ]);
    return problemId;
  }

  /** A step taken from the console at a hall-local time. */
  async step<T extends ProblemStepType>(
    problemId: string,
    when: string,
    type: T,
    payload: Omit<PayloadOf<T>, 'problemId'>,
  ): Promise<void> {
    this.at(when);
    const res = await this.hall.step(problemId, { type, payload } as never);
    expect(res.problem.steps.at(-1)?.superseded).toBeNull();
  }

  /** Assigned, rectifying and rectified at a hall-local time (each step a minute apart before). */
  async rectify(problemId: string, departmentCode: string, when: string): Promise<void> {
    const at = local(when);
    const before = (min: number) =>
      new Date(at - min * 60_000 + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    await this.step(problemId, before(2), 'problem.assigned', {
      from: 'found',
      departmentId: this.department(departmentCode).id,
      assignee: '综合窗口负责人',
      note: '',
    });
    await this.step(problemId, before(1), 'problem.statusChanged', {
      from: 'assigned',
      to: 'rectifying',
      note: '',
      photos: [],
    });
    await this.step(problemId, when, 'problem.statusChanged', {
      from: 'rectifying',
      to: 'rectified',
      note: '已整改',
      photos: [],
    });
  }

  /** A rectified problem verified at a hall-local time. */
  async verify(problemId: string, when: string): Promise<void> {
    await this.step(problemId, when, 'problem.statusChanged', {
      from: 'rectified',
      to: 'verified',
      note: '',
      photos: [],
    });
  }

  /** GET from the console, expecting 200. */
  async get<T>(url: string): Promise<T> {
    const res = await this.hall.admin.get(url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  }
}
