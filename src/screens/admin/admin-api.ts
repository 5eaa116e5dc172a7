/**
 * The console's client for the administrator API (same origin, session cookie). Failures become
 * an {@link AdminApiError} with the server's reason code, or `offline` when nothing answered.
 */
import type { DeviceRole } from '../../domain/device';
import type { Id } from '../../domain/ids';
import type { PoorRatingReason, RatingChannel, RatingLevel } from '../../domain/rating';
import { API } from '../../sync/protocol';
import type { FleetDevice, FleetResponse } from '../../sync/report-protocol';
import { AdminApiError, failedAnswer, parseJson } from './api-error';
import { createDutyApi } from './duty-api';
import { createFiguresApi } from './figures-api';
import { createPipelineApi } from './pipeline-api';

export interface AdminWindow {
  id: Id;
  code: string;
  name: string;
  nameEn?: string;
  active: boolean;
  department: { id: Id; code: string; name: string; nameEn?: string };
  ratingPath: string;
  ratingUrl: string;
}

export interface WindowsResponse {
  hall: { id: Id; name: string; nameEn?: string };
  windows: AdminWindow[];
}

export interface AdminDevice {
  id: Id;
  name: string | null;
  role: DeviceRole | 'phone' | 'console';
  windowId: Id | null;
  windowCode: string | null;
  windowName: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  lastSeq: number;
  pending: number | null;
  revokedAt: string | null;
}

/** A device's new name ('' clears it) and an evaluator's new window. */
export interface DeviceChange {
  name?: string;
  windowId?: Id;
}

export type EnrollRole = 'evaluator' | 'duty_kiosk' | 'inspection_tablet';

export interface Enrollment {
  code: string;
  expiresAt: string;
  setupPath: string;
}

export interface AdminRating {
  id: Id;
  at: string;
  receivedAt: string;
  level: RatingLevel;
  channel: RatingChannel;
  windowId: Id;
  windowCode: string;
  windowName: string;
  departmentName: string;
  reasons: PoorRatingReason[];
  comment: string;
  ticket: string | null;
  deviceId: Id;
}

export interface RatingsResponse {
  total: number;
  counted: number;
  byLevel: Partial<Record<RatingLevel, number>>;
  ratings: AdminRating[];
}

export interface RejectedEvent {
  eventId: Id;
  deviceId: Id;
  deviceSeq: number;
  type: string;
  reason: string;
  message: string;
  receivedAt: string;
}

export { AdminApiError, type AdminIssue } from './api-error';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A JSON call to the administrator API: resolves to the answer's body, or throws an AdminApiError. */
export type AdminCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function createAdminCall(
  fetchFn: FetchLike = (input, init) => fetch(input, init),
): AdminCall {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetchFn(`${API}/admin${path}`, {
        method,
        credentials: 'same-origin',
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new AdminApiError('offline', 0);
    }
    const data = parseJson(await response.text().catch(() => ''));
    if (!response.ok) throw failedAnswer(response, data);
    return data as T;
  }

  return call;
}

export function createAdminApi(fetchFn: FetchLike = (input, init) => fetch(input, init)) {
  const call = createAdminCall(fetchFn);
  return {
    login: (username: string, password: string) =>
      call<{ username: string }>('POST', '/login', { username, password }),
    logout: () => call<unknown>('POST', '/logout'),
    me: () => call<{ username: string }>('GET', '/me'),
    windows: () => call<WindowsResponse>('GET', '/windows'),
    devices: () => call<{ devices: AdminDevice[] }>('GET', '/devices'),
    revokeDevice: (id: Id) => call<unknown>('POST', `/devices/${encodeURIComponent(id)}/revoke`),
    /** Every device with its health and the fleet's alerts. */
    fleet: () => call<FleetResponse>('GET', '/fleet'),
    /** Rename a device and/or bind an evaluator to another window. */
    changeDevice: (id: Id, change: DeviceChange) =>
      call<{ device: FleetDevice }>('POST', `/devices/${encodeURIComponent(id)}`, change),
    /** An evaluator is bound to a window; a duty kiosk serves the whole hall. */
    createEnrollment: (role: EnrollRole, windowId: Id | null, name?: string) =>
      call<Enrollment>('POST', '/enrollments', {
        role,
        ...(role === 'evaluator' ? { windowId } : {}),
        ...(name ? { name } : {}),
      }),
    ratings: (limit = 50) => call<RatingsResponse>('GET', `/ratings?limit=${limit}`),
    rejected: () => call<{ rejected: RejectedEvent[] }>('GET', '/rejected'),
    duty: createDutyApi(call),
    pipeline: createPipelineApi(call, fetchFn),
    figures: createFiguresApi(call),
    /** The bare call, for sections that keep their own requests. */
    call,
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;

/**
 * The address to print on a window's card: the server's own URL, unless that points at this
 * machine's loopback while the console is open at a real address phones can reach.
 */
export function cardUrl(
  window: Pick<AdminWindow, 'ratingPath' | 'ratingUrl'>,
  origin: string,
): string {
  try {
    const printed = new URL(window.ratingUrl);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(printed.hostname);
    const here = new URL(origin);
    if (!loopback || ['localhost', '127.0.0.1', '[::1]'].includes(here.hostname))
      return printed.href;
  } catch {
    // No usable ratingUrl: fall back to this origin.
  }
  return new URL(window.ratingPath, origin).href;
}
