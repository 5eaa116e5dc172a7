/**
 * Helpers of the console's pipeline suites: a hall whose clock the test moves, an inspection
 * tablet walking with a leader's PIN, findings and 差评 pushed as the devices write them.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { EventEnvelope, Photo, ProblemSeverity } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { pinHash, pinProof } from '../../src/domain/pin';
import type { ChecklistItem } from '../../src/domain/reference';
import type {
  ChecklistResponse,
  ProblemDetailResponse,
  ProblemListResponse,
  ProblemStepRequest,
} from '../../src/sync/pipeline-protocol';
import type { BackendName } from '../support/databases';
import { createSession } from '../../src/server/services/auth';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, pushOk, type TestDevice } from './helpers';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  setPin,
  type Console,
  type KioskPin,
} from './duty-support';

export const PIN = '2468';

/** A demo hall whose server and devices share a clock the test sets. */
export class PipelineHall {
  clock: number;
  server!: TestServer;
  admin!: Console;
  adminId!: string;
  tablet!: TestDevice;
  evaluator!: TestDevice;
  pins: KioskPin[] = [];

  private constructor(start: number) {
    this.clock = start;
  }

  static async open(backend: BackendName, start: number): Promise<PipelineHall> {
    const hall = new PipelineHall(start);
    const now = () => hall.clock;
    hall.server = await startTestServer({ backend, now });
    // The real login once; later sessions are opened at the moved clock (see `cookie`).
    await consoleCookie(hall.server);
    const rows = await hall.server.db.query<{ id: string }>(
      "SELECT id FROM admins WHERE username = 'admin'",
    );
    hall.adminId = rows[0]!.id;
    hall.admin = hall.consoleClient();
    hall.tablet = await enrollRole(hall.server, 'inspection_tablet', now);
    hall.evaluator = await enrollDevice(hall.server, undefined, now);
    return hall;
  }

  #session: { cookie: string; at: number } | null = null;

  /** A session cookie valid at the shared clock (a session expires; the clock moves by weeks). */
  async cookie(): Promise<string> {
    if (
      !this.#session ||
      this.clock < this.#session.at ||
      this.clock - this.#session.at > 3600_000
    ) {
      const { token } = await createSession(this.server.db, this.adminId, this.clock);
      this.#session = { cookie: `hk_session=${token}`, at: this.clock };
    }
    return this.#session.cookie;
  }

  private consoleClient(): Console {
    const withCookie = async (fn: (client: Console) => ReturnType<Console['get']>) =>
      fn(consoleClient(this.server, await this.cookie()));
    return {
      get: (url) => withCookie((c) => c.get(url)),
      post: (url, payload) => withCookie((c) => c.post(url, payload)),
      ok: async <T>(url: string, payload?: object) =>
        consoleClient(this.server, await this.cookie()).ok<T>(url, payload),
    };
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Move the shared clock to an instant (ISO string or ms). */
  at(when: string | number): this {
    this.clock = typeof when === 'string' ? Date.parse(when) : when;
    return this;
  }

  leader(title: string) {
    const l = this.server.seed.leaders.find((x) => x.title === title);
    if (!l) throw new Error(`the demo hall has no leader ${title}`);
    return l;
  }

  department(code: string) {
    const d = this.server.seed.departments.find((x) => x.code === code);
    if (!d) throw new Error(`the demo hall has no department ${code}`);
    return d;
  }

  windowOf(departmentId: string) {
    const w = this.server.seed.windows.find((x) => x.departmentId === departmentId);
    if (!w) throw new Error('the department has no window');
    return w;
  }

  /** Give leaders a PIN and let the tablet download the PINs. */
  async withPins(...titles: string[]): Promise<void> {
    for (const t of titles) await setPin(this.admin, this.leader(t).id, PIN);
    this.pins = await kioskPins(this.server, this.tablet);
  }

  /** Events on a device, stamped with the shared clock. */
  append<T extends EventEnvelope['type']>(
    device: TestDevice,
    type: T,
    payload: EventEnvelope<T>['payload'],
    overrides: Partial<EventEnvelope> = {},
  ): EventEnvelope {
    return device.append(type, payload, { at: new Date(this.clock).toISOString(), ...overrides });
  }

  /** Push events, expecting every one stored. */
  async push(device: TestDevice, events: EventEnvelope[]): Promise<void> {
    const res = await pushOk(this.server.app, device, events);
    expect(
      res.results.every((r) => r.status === 'stored'),
      JSON.stringify(res.results),
    ).toBe(true);
  }

  /** A checklist item added through the console's reference route. */
  async checklistItem(
    text: string,
    group: ChecklistItem['group'] = 'service',
    sort = 1000,
  ): Promise<string> {
    const itemId = newId();
    await this.admin.ok('/api/v1/admin/ref', {
      type: 'ref.checklistItemSaved',
      payload: { itemId, group, text, sort, active: true },
    });
    return itemId;
  }

  async checklist(): Promise<ChecklistResponse> {
    const res = await this.admin.get('/api/v1/admin/checklist');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ChecklistResponse>();
  }

  /** A walk started on the tablet with the leader's PIN; answers its id. */
  async startWalk(
    title: string,
    fields: {
      mode?: 'simulate' | 'unannounced';
      windowId?: string | null;
      serviceItem?: string;
    } = {},
  ): Promise<string> {
    const leader = this.leader(title);
    const record = this.pins.find((p) => p.leaderId === leader.id);
    if (!record) throw new Error(`no PIN downloaded for ${title}`);
    const id = newId();
    const walkId = newId();
    const proof = await pinProof(await pinHash(PIN, record.salt, record.iterations), id);
    await this.push(this.tablet, [
      this.append(
        this.tablet,
        'walk.started',
        {
          walkId,
          mode: fields.mode ?? 'simulate',
          leaderId: leader.id,
          departmentId: leader.departmentId,
          windowId: fields.windowId ?? null,
          serviceItem: fields.serviceItem ?? '',
          pinVersion: record.version,
          pinProof: proof,
        },
        { id, actorId: leader.id },
      ),
    ]);
    return walkId;
  }

  /** A finding recorded on the tablet during a walk; answers the problem id. */
  async finding(
    walk: { walkId: string; leaderId: string; departmentId: string },
    fields: {
      description?: string;
      severity?: ProblemSeverity;
      checklistItemId?: string;
      photos?: Photo[];
      windowId?: string | null;
    } = {},
  ): Promise<string> {
    const problemId = newId();
    await this.push(this.tablet, [
      this.append(
        this.tablet,
        'problem.recorded',
        {
          problemId,
          source: 'walk',
          sourceId: newId(),
          departmentId: walk.departmentId,
          windowId: fields.windowId ?? null,
          description: fields.description ?? '办事指南与窗口要求不一致',
          severity: fields.severity ?? 'medium',
          walkId: walk.walkId,
          ...(fields.checklistItemId ? { checklistItemId: fields.checklistItemId } : {}),
          photos: fields.photos ?? [],
        },
        { actorId: walk.leaderId },
      ),
    ]);
    return problemId;
  }

  /** A 差评 from the evaluator tablet at its window; its problem id is the rating's id. */
  async poorRating(level: 'dissatisfied' | 'very_dissatisfied' = 'dissatisfied'): Promise<string> {
    const e = this.append(
      this.evaluator,
      'rating.submitted',
      this.evaluator.ratingPayload(this.server, {
        level,
        reasons: ['waited_too_long'],
        comment: '等候时间太长',
      }),
    );
    await this.push(this.evaluator, [e]);
    return e.id;
  }

  async problems(query = ''): Promise<ProblemListResponse> {
    const res = await this.admin.get(`/api/v1/admin/problems${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ProblemListResponse>();
  }

  async problem(id: string): Promise<ProblemDetailResponse> {
    const res = await this.admin.get(`/api/v1/admin/problems/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ProblemDetailResponse>();
  }

  /** A step from the console, expecting it written. */
  async step(id: string, step: ProblemStepRequest): Promise<ProblemDetailResponse> {
    return this.admin.ok<ProblemDetailResponse>(`/api/v1/admin/problems/${id}/steps`, step);
  }

  /** Upload bytes as the console does for evidence photos. */
  async putBlob(bytes: Buffer, withSession = true) {
    const cookie = withSession ? await this.cookie() : null;
    return this.server.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/blobs/${sha256(bytes)}`,
      headers: { 'content-type': 'image/jpeg', ...(cookie ? { cookie } : {}) },
      payload: bytes,
    });
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A photo reference for some bytes (the bytes need not be an image for the server). */
export function photoOf(bytes: Buffer): Photo {
  return { sha256: sha256(bytes), type: 'image/jpeg', size: bytes.length };
}
