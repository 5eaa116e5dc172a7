/** The console's API as an administrator sees it: how the browser tests look at the server. */
import { request, type APIRequestContext } from '@playwright/test';
import type { EventEnvelope, RatingSubmitted } from '../../../src/domain/events';
import type {
  ProblemDetailResponse,
  ProblemListResponse,
  WalkListResponse,
  WalkReportResponse,
} from '../../../src/sync/pipeline-protocol';
import { TestDevice } from '../../server/helpers';

export type { ProblemDetailResponse, ProblemListResponse, WalkListResponse, WalkReportResponse };

export interface WindowCard {
  id: string;
  code: string;
  name: string;
  department: { id: string; name: string };
  ratingPath: string;
}

export interface ServerRating {
  id: string;
  level: string;
  channel: string;
  windowCode: string;
  reasons: string[];
  comment: string;
  ticket: string | null;
  deviceId: string;
  dutySessionId: string | null;
}

export interface Leader {
  id: string;
  title: string;
  departmentId: string;
  departmentName: string;
  badgeCode?: string;
}

export interface LeaderAttendance {
  leaderId: string;
  scheduled: number;
  attended: number;
  late: number;
  missed: number;
  unscheduled: number;
  served: number;
  cases: number;
  complaints: number;
}

/** A rating given now on a hall tablet at `window`: very satisfied unless `fields` say otherwise. */
export function tabletRating(
  tablet: TestDevice,
  window: WindowCard,
  fields: Partial<RatingSubmitted> = {},
): EventEnvelope {
  return tablet.append('rating.submitted', {
    windowId: window.id,
    departmentId: window.department.id,
    level: 'very_satisfied',
    reasons: [],
    comment: '',
    ticket: null,
    channel: 'hall_tablet',
    phoneId: null,
    dutySessionId: null,
    ...fields,
  });
}

export class ConsoleApi {
  private constructor(private readonly api: APIRequestContext) {}

  static async login(baseURL: string): Promise<ConsoleApi> {
    const api = await request.newContext({ baseURL });
    const res = await api.post('/api/v1/admin/login', {
      data: { username: 'admin', password: process.env.E2E_ADMIN_PASSWORD },
    });
    if (!res.ok()) throw new Error(`login failed: ${res.status()} ${await res.text()}`);
    return new ConsoleApi(api);
  }

  async windows(): Promise<WindowCard[]> {
    return (await (await this.api.get('/api/v1/admin/windows')).json()).windows;
  }

  async window(code: string): Promise<WindowCard> {
    const w = (await this.windows()).find((x) => x.code === code);
    if (!w) throw new Error(`no window ${code}`);
    return w;
  }

  async ratings(): Promise<ServerRating[]> {
    const res = await this.api.get('/api/v1/admin/ratings?limit=1000');
    return (await res.json()).ratings;
  }

  /** Presses the server kept for audit as repeats of a counted rating, not counted. */
  async ratingExtras(): Promise<{ id: string; deviceId: string; windowCode: string | null }[]> {
    const res = await this.api.get('/api/v1/admin/rating-extras');
    return (await res.json()).extras;
  }

  async enrollEvaluator(windowId: string): Promise<string> {
    return (await this.post('/api/v1/admin/enrollments', { role: 'evaluator', windowId })).code;
  }

  async enrollDutyKiosk(): Promise<string> {
    return (await this.post('/api/v1/admin/enrollments', { role: 'duty_kiosk' })).code;
  }

  async enrollInspectionTablet(): Promise<string> {
    return (await this.post('/api/v1/admin/enrollments', { role: 'inspection_tablet' })).code;
  }

  async problems(query = ''): Promise<ProblemListResponse> {
    return (await this.api.get(`/api/v1/admin/problems${query}`)).json();
  }

  async problem(id: string): Promise<ProblemDetailResponse> {
    return (await this.api.get(`/api/v1/admin/problems/${id}`)).json();
  }

  async walks(): Promise<WalkListResponse> {
    return (await this.api.get('/api/v1/admin/walks')).json();
  }

  async walkReport(id: string): Promise<WalkReportResponse> {
    return (await this.api.get(`/api/v1/admin/walks/${id}`)).json();
  }

  /** The bytes the server holds for a photo, or null while it is still on its tablet. */
  async blob(sha256: string): Promise<Buffer | null> {
    const res = await this.api.get(`/api/v1/blobs/${sha256}`);
    return res.status() === 404 ? null : res.body();
  }

  async leaders(): Promise<Leader[]> {
    return (await (await this.api.get('/api/v1/admin/leaders')).json()).leaders;
  }

  async setPin(leaderId: string, pin: string): Promise<void> {
    await this.post(`/api/v1/admin/leaders/${leaderId}/pin`, { pin });
  }

  /** A published shift for a leader today (hall-local date and times). */
  async addShift(leaderId: string, date: string, start: string, end: string): Promise<void> {
    await this.post('/api/v1/admin/shifts', { leaderId, date, start, end, published: true });
  }

  async shifts(
    from: string,
    to: string,
  ): Promise<{ id: string; leaderId: string; date: string; published: boolean }[]> {
    return (await (await this.api.get(`/api/v1/admin/shifts?from=${from}&to=${to}`)).json()).shifts;
  }

  async attendance(month: string): Promise<{ leaders: LeaderAttendance[] }> {
    return (await this.api.get(`/api/v1/admin/attendance?month=${month}`)).json();
  }

  /** An evaluator enrolled at a window, as a tablet trades its code: its id and token. */
  async enrolledEvaluator(
    windowId: string,
  ): Promise<{ deviceId: string; hallId: string; token: string }> {
    const code = await this.enrollEvaluator(windowId);
    return this.post('/api/v1/devices/enroll', { code });
  }

  /** Push events as a device, expecting every one stored. */
  async pushAs(device: { deviceId: string; token: string }, events: unknown[]): Promise<void> {
    const res = await this.api.post('/api/v1/sync/push', {
      headers: { authorization: `Bearer ${device.token}` },
      data: { deviceId: device.deviceId, events },
    });
    const body = (await res.json()) as { results?: { status: string }[] };
    if (!res.ok() || !body.results?.every((r) => r.status === 'stored'))
      throw new Error(`push: ${res.status()} ${JSON.stringify(body)}`);
  }

  /** Ratings given now on a tablet newly enrolled at the window, expecting every one stored. */
  async rateAt(window: WindowCard, ratings: Partial<RatingSubmitted>[]): Promise<void> {
    const enrolled = await this.enrolledEvaluator(window.id);
    const tablet = new TestDevice(enrolled.deviceId, enrolled.hallId, enrolled.token, window.id);
    await this.pushAs(
      enrolled,
      ratings.map((fields) => tabletRating(tablet, window, fields)),
    );
  }

  private async post(path: string, data: unknown) {
    const res = await this.api.post(path, { data });
    if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
    return res.status() === 204 ? null : res.json();
  }

  async dispose(): Promise<void> {
    await this.api.dispose();
  }
}
