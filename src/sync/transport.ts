/**
 * HTTP for the sync engine: the two ways an outbox reaches the server. An enrolled device pushes
 * to /sync/push with its token and pulls the hall's events; a phone pushes to /public/ratings
 * under the window card's signature and pulls nothing.
 */
import { parseRetryAfter } from './backoff';
import type { SigningClock } from './clock';
import { requestSigner, type RequestSigner } from './signing';
import type { DeviceHealth } from './report-protocol';
import { HttpError, NetworkError } from './errors';
import {
  API,
  type ApiError,
  type EventOutcome,
  type PublicRatingsRequest,
  type PublicRatingsResponse,
  type PulledDevice,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type RosterPinsResponse,
} from './protocol';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** Origin of the server, '' for the page's own (the default in the browser). */
  baseUrl?: string;
  fetch?: FetchLike;
  /** Bearer token of an enrolled device. */
  token?: string | null;
  /**
   * Signs each request sent with the token (a device enrolled with a key must sign every one):
   * a fresh time and nonce per request, so a retry is never refused as a replay.
   */
  sign?: RequestSigner | null;
  /**
   * The server refused a signature as made too far from its time and said its time: correct the
   * device's clock; true when it moved, and the request is then signed and sent once more.
   */
  resync?: ((serverTime: string) => Promise<boolean>) | null;
  /** Give up on a request after this long and treat it as offline. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The HTTP settings among a caller's options, leaving out those not given. */
export function httpOptions(options: Omit<HttpOptions, 'token'>): HttpOptions {
  return {
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
}

/**
 * How an enrolled device talks to the server: its token, and each request signed with its key at
 * the server's time as the device knows it (a device enrolled before signatures has no key).
 */
export function deviceHttp(
  options: Omit<HttpOptions, 'token' | 'sign' | 'resync'>,
  credentials: { token: string; key?: CryptoKeyPair },
  clock: SigningClock,
): HttpOptions {
  return {
    ...httpOptions(options),
    token: credentials.token,
    ...(credentials.key
      ? {
          sign: requestSigner(credentials.key.privateKey, () => clock.serverNow()),
          resync: (serverTime) => clock.correct(serverTime),
        }
      : {}),
  };
}

/** Whether a refusal was of a signature's time, and the device's clock has now been corrected. */
async function resynced(http: HttpOptions, error: unknown): Promise<boolean> {
  if (!http.resync || !(error instanceof HttpError) || error.status !== 401) return false;
  const serverTime = error.body?.serverTime;
  if (error.body?.error !== 'bad_signature' || typeof serverTime !== 'string') return false;
  return http.resync(serverTime).catch(() => false);
}

/**
 * Send one JSON request; resolves with the parsed 2xx body, throws NetworkError or HttpError. A
 * device whose clock jumped (a tablet's clock reset after its battery ran flat) learns the
 * server's time from the refusal of its signature and signs once more.
 */
export async function requestJson<T>(
  http: HttpOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS,
): Promise<T> {
  try {
    return await requestJsonOnce<T>(http, method, path, body, timeoutMs);
  } catch (error) {
    if (!(await resynced(http, error))) throw error;
    return requestJsonOnce<T>(http, method, path, body, timeoutMs);
  }
}

async function requestJsonOnce<T>(
  http: HttpOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS,
): Promise<T> {
  const doFetch = http.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const text = body !== undefined ? JSON.stringify(body) : undefined;
  if (http.token) {
    headers.authorization = `Bearer ${http.token}`;
    if (http.sign) Object.assign(headers, await http.sign({ method, path, body: text ?? '' }));
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    response = await doFetch(`${http.baseUrl ?? ''}${path}`, {
      method,
      headers,
      ...(text !== undefined ? { body: text } : {}),
      signal: controller.signal,
      cache: 'no-store',
    });
  } catch (error) {
    throw new NetworkError(
      controller.signal.aborted ? 'request timed out' : 'no answer from the server',
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
  // A proxy's HTML error page or an empty body reads as null.
  const parsed: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const errorBody =
      parsed && typeof parsed === 'object' && typeof (parsed as ApiError).error === 'string'
        ? (parsed as ApiError & Record<string, unknown>)
        : null;
    throw new HttpError(
      response.status,
      errorBody,
      parseRetryAfter(response.headers.get('retry-after'), Date.now()),
    );
  }
  if (parsed === null || typeof parsed !== 'object') throw new HttpError(response.status, null);
  return parsed as T;
}

/** The reason code and Retry-After of a non-2xx answer, as HttpError carries them. */
async function httpError(response: Response): Promise<HttpError> {
  const parsed: unknown = await response.json().catch(() => null);
  const errorBody =
    parsed && typeof parsed === 'object' && typeof (parsed as ApiError).error === 'string'
      ? (parsed as ApiError & Record<string, unknown>)
      : null;
  return new HttpError(
    response.status,
    errorBody,
    parseRetryAfter(response.headers.get('retry-after'), Date.now()),
  );
}

/** Send one request whose body or answer is bytes; throws NetworkError, or HttpError on non-2xx. */
async function requestBytes(
  http: HttpOptions,
  method: 'GET' | 'PUT',
  path: string,
  body?: ArrayBuffer,
  type?: string,
): Promise<Response> {
  try {
    return await requestBytesOnce(http, method, path, body, type);
  } catch (error) {
    if (!(await resynced(http, error))) throw error;
    return requestBytesOnce(http, method, path, body, type);
  }
}

async function requestBytesOnce(
  http: HttpOptions,
  method: 'GET' | 'PUT',
  path: string,
  body?: ArrayBuffer,
  type?: string,
  timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS,
): Promise<Response> {
  const doFetch = http.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers: Record<string, string> = {};
  // Only image types and raw bytes are taken by the server; anything else goes as raw bytes.
  if (body !== undefined)
    headers['content-type'] =
      type && /^image\/[a-z+.-]+$/.test(type) ? type : 'application/octet-stream';
  if (http.token) {
    headers.authorization = `Bearer ${http.token}`;
    if (http.sign)
      Object.assign(
        headers,
        await http.sign({ method, path, body: body !== undefined ? new Uint8Array(body) : '' }),
      );
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await doFetch(`${http.baseUrl ?? ''}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: controller.signal,
      cache: 'no-store',
    }).catch((error: unknown) => {
      throw new NetworkError(
        controller.signal.aborted ? 'request timed out' : 'no answer from the server',
        { cause: error },
      );
    });
    if (!response.ok) throw await httpError(response);
    return response;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Upload a photo's bytes under their SHA-256 (PUT /api/v1/blobs/<sha256>). Resolves once the
 * server answered 200 (it had them) or 201 (stored now); it verifies the hash itself and answers
 * 400 `hash_mismatch` when the bytes are not what the name says.
 */
export async function putBlob(
  http: HttpOptions,
  sha256: string,
  bytes: ArrayBuffer,
  type?: string,
): Promise<void> {
  const response = await requestBytes(http, 'PUT', `${API}/blobs/${sha256}`, bytes, type);
  await response.body?.cancel().catch(() => undefined);
}

/** A blob from the server (with the device token), or null when it does not have it. */
export async function getBlob(http: HttpOptions, sha256: string): Promise<Blob | null> {
  try {
    const response = await requestBytes(http, 'GET', `${API}/blobs/${sha256}`);
    return await response.blob();
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return null;
    throw error;
  }
}

/** What a push sends: a log entry's event, and for phones the card it goes under. */
export interface OutboxEntry {
  deviceSeq: number;
  event: { id: string };
  route?: { windowCode: string; sig: string };
}

export interface PushResult {
  serverTime: string;
  /** Highest deviceSeq the server processed for this device; null when it does not say. */
  lastSeq: number | null;
  results: EventOutcome[];
}

/** The server as the sync engine sees it. */
export interface SyncApi {
  /** `health`, when given, is reported with the batch (fleet health). */
  push(batch: readonly OutboxEntry[], pending: number, health?: DeviceHealth): Promise<PushResult>;
  /** Absent for writers that do not pull (phones). */
  pull?(after: number, limit: number): Promise<PullResponse>;
  /** Duty kiosks: the leaders' PIN hashes, fetched after each pull. */
  roster?(): Promise<RosterPinsResponse>;
  /** Upload a photo's bytes (absent for writers that take no photos). */
  putBlob?(sha256: string, bytes: ArrayBuffer, type?: string): Promise<void>;
  /** Key of the request an entry must travel in: entries of different keys never share a push. */
  group?(entry: OutboxEntry): string;
}

function isOutcomeList(value: unknown): value is EventOutcome[] {
  return (
    Array.isArray(value) &&
    value.every((r) => r && typeof r.id === 'string' && typeof r.status === 'string')
  );
}

function checkPush(body: Partial<PushResponse>, withLastSeq: boolean): PushResult {
  if (typeof body.serverTime !== 'string' || !isOutcomeList(body.results))
    throw new HttpError(200, { error: 'bad_response', message: 'push answer has the wrong shape' });
  if (withLastSeq && typeof body.lastSeq !== 'number')
    throw new HttpError(200, { error: 'bad_response', message: 'push answer has no lastSeq' });
  return {
    serverTime: body.serverTime,
    lastSeq: withLastSeq ? body.lastSeq! : null,
    results: body.results,
  };
}

/** An enrolled device: token-authenticated push and pull. */
export function deviceApi(
  http: HttpOptions,
  deviceId: string,
  options: { roster?: boolean } = {},
): SyncApi {
  return {
    ...(options.roster
      ? {
          async roster() {
            const body = await requestJson<RosterPinsResponse>(http, 'GET', `${API}/roster/pins`);
            if (!Array.isArray(body.pins))
              throw new HttpError(200, {
                error: 'bad_response',
                message: 'roster answer has the wrong shape',
              });
            return body;
          },
        }
      : {}),
    putBlob: (sha256, bytes, type) => putBlob(http, sha256, bytes, type),
    async push(batch, pending, health) {
      const request: PushRequest = {
        deviceId,
        events: batch.map((e) => e.event),
        pending,
        ...(health ? { health } : {}),
      };
      return checkPush(
        await requestJson<PushResponse>(http, 'POST', `${API}/sync/push`, request),
        true,
      );
    },
    async pull(after, limit) {
      const body = await requestJson<PullResponse>(
        http,
        'GET',
        `${API}/sync/pull?after=${after}&limit=${limit}`,
      );
      if (
        !Array.isArray(body.events) ||
        typeof body.cursor !== 'number' ||
        typeof body.more !== 'boolean'
      )
        throw new HttpError(200, {
          error: 'bad_response',
          message: 'pull answer has the wrong shape',
        });
      if (body.device !== undefined && !isPulledDevice(body.device)) delete body.device;
      return body;
    },
  };
}

function isPulledDevice(value: unknown): value is PulledDevice {
  if (!value || typeof value !== 'object') return false;
  const d = value as Record<string, unknown>;
  return (
    (d.windowId === null || typeof d.windowId === 'string') &&
    (d.name === null || typeof d.name === 'string')
  );
}

/** A citizen's phone: each push goes under the window card its events were made from. */
export function phoneApi(http: HttpOptions): SyncApi {
  return {
    group: (entry) => (entry.route ? `${entry.route.windowCode}\n${entry.route.sig}` : ''),
    async push(batch) {
      const route = batch[0]?.route;
      if (!route)
        throw new HttpError(400, {
          error: 'bad_request',
          message: 'a phone event has no window card',
        });
      const request: PublicRatingsRequest = {
        windowCode: route.windowCode,
        sig: route.sig,
        events: batch.map((e) => e.event),
      };
      const body = await requestJson<PublicRatingsResponse>(
        http,
        'POST',
        `${API}/public/ratings`,
        request,
      );
      return checkPush(body, false);
    },
  };
}
