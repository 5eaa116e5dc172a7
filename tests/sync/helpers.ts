import type { RatingInput } from '../../src/app/device-api';
import {
  enrollDevice,
  openDevice,
  type DeviceOptions,
  type EnrolledDevice,
} from '../../src/app/device';
import { newId } from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import type { FetchLike } from '../../src/sync/transport';
import type { TestServer } from '../support/server';
import { ManualTimers } from './fake-api';

type FetchHook = (path: string, real: () => Promise<Response>) => Promise<Response | undefined>;

export interface Tap {
  calls: { method: string; path: string }[];
  /** Return a Response to answer yourself, or throw to fail the request; undefined to pass. */
  hook: FetchHook | null;
  fetch: FetchLike;
  count(path: string): number;
}

/** Every request the client sends, with a hook to fail or alter some of them. */
export function tappedFetch(): Tap {
  const calls: { method: string; path: string }[] = [];
  const tap: Tap = {
    calls,
    hook: null,
    fetch: (async (input, init) => {
      const path = new URL(input).pathname;
      calls.push({ method: init?.method ?? 'GET', path });
      const real = () => fetch(input, init);
      if (tap.hook) {
        const answer: Response | undefined = await tap.hook(path, real);
        if (answer) return answer;
      }
      return real();
    }) as FetchLike,
    count: (path: string) => calls.filter((c) => c.path === path).length,
  };
  return tap;
}

/** Options for a device in a test: its own database and settings, timers and syncing by hand. */
export function deviceOptions(server: TestServer, extra: Partial<DeviceOptions> = {}) {
  const timers = new ManualTimers();
  const options: DeviceOptions = {
    baseUrl: server.url,
    settings: new DeviceSettings(memoryStore()),
    dbName: `device-${newId()}`,
    triggers: false,
    random: () => 0.99,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...extra,
  };
  return { options, timers };
}

/** Enroll an evaluator for `windowCode` (default: the first window) and start it. */
export async function enrolledEvaluator(
  server: TestServer,
  extra: Partial<DeviceOptions> = {},
  windowCode?: string,
): Promise<{ device: EnrolledDevice; timers: ManualTimers; options: DeviceOptions }> {
  const { options, timers } = deviceOptions(server, extra);
  await enrollDevice(await server.enroll('evaluator', windowCode), 'evaluator', options);
  const device = await openDevice(options);
  if (!device) throw new Error('enrolled device did not open');
  return { device, timers, options };
}

export function ratingFor(
  window: { id: string; departmentId: string },
  over: Partial<RatingInput> = {},
): RatingInput {
  return {
    windowId: window.id,
    departmentId: window.departmentId,
    level: 'very_satisfied',
    reasons: [],
    comment: '',
    ticket: null,
    ...over,
  };
}

/**
 * The ratings the server took from devices, counted or kept apart as repeated presses (an
 * evaluator's quick presses in a test are repeats): what was delivered, as a table to select from.
 */
export const DELIVERED_RATINGS = `(SELECT event_id, device_id, window_id FROM ratings
  UNION ALL SELECT event_id, device_id, window_id FROM rating_extras) AS delivered`;

export async function count(
  server: TestServer,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  const [row] = await server.db.query<{ n: string | number }>(sql, params);
  return Number(row?.n ?? 0);
}

/** Log in to the console in-process and return a cookie header for admin requests. */
export async function adminCookie(server: TestServer): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/admin/login',
    payload: { username: server.seed.admin.username, password: server.seed.admin.password },
  });
  if (res.statusCode !== 200) throw new Error(`admin login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'hk_session');
  if (!cookie) throw new Error('no session cookie');
  return `hk_session=${cookie.value}`;
}
