import { isQuotaError } from '../storage/errors';
import type { ApiError } from './protocol';

/** Why a sync round failed; shown through SyncStatus.lastError and turned into words by screens. */
export type SyncErrorCode =
  /** No answer: no network, DNS, refused connection, timeout. */
  | 'offline'
  /** The server answered 5xx (503 with Retry-After while its database is unavailable). */
  | 'server_unavailable'
  /** 429: too many requests from this address. */
  | 'rate_limited'
  /** 401, or 403 other than revoked: the device's token is not accepted. */
  | 'unauthorized'
  /** 403 revoked: an administrator revoked this device. Its records stay on it. */
  | 'revoked'
  /** 409 gap, and this device no longer holds the events the server is missing. */
  | 'gap'
  /** Another 4xx: the server refused the request as such. */
  | 'bad_request'
  /** The server's answer made no sense (wrong shape, no progress). */
  | 'bad_response'
  /** The device's storage is full, so answers could not be recorded. */
  | 'storage_full'
  /** Local storage failed otherwise. */
  | 'storage_unavailable';

/** A request that got no HTTP answer at all. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** A non-2xx HTTP answer, with the server's reason code when it sent one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: (ApiError & Record<string, unknown>) | null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(
      `HTTP ${status}${body?.error ? ` ${body.error}` : ''}${body?.message ? `: ${body.message}` : ''}`,
    );
    this.name = 'HttpError';
  }
}

/** A failure the engine itself decided on. */
export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'SyncError';
  }
}

export interface Classified {
  code: SyncErrorCode;
  /** Worth retrying by itself with backoff (the periodic triggers retry everything else). */
  retryable: boolean;
  /** The server's Retry-After, in ms, if it sent one. */
  retryAfterMs: number | null;
}

const RETRYABLE: ReadonlySet<SyncErrorCode> = new Set([
  'offline',
  'server_unavailable',
  'rate_limited',
  'bad_response',
  'storage_unavailable',
]);

/** Whether a failure of this kind is retried with backoff by the engine. */
export function isRetryable(code: SyncErrorCode): boolean {
  return RETRYABLE.has(code);
}

function classified(code: SyncErrorCode, retryAfterMs: number | null = null): Classified {
  return { code, retryable: RETRYABLE.has(code), retryAfterMs };
}

/** Map any failure of a sync round to its reason code. */
export function classifyError(error: unknown): Classified {
  if (error instanceof SyncError) return classified(error.code);
  if (error instanceof NetworkError) return classified('offline');
  if (error instanceof HttpError) {
    const { status, body, retryAfterMs } = error;
    // The server already had this very request (the network delivered it twice) and refused the
    // copy; what the first one did is learnt by sending again, signed afresh.
    if (status === 401 && body?.error === 'replayed_request') return classified('bad_response');
    if (status === 401) return classified('unauthorized');
    if (status === 403) return classified(body?.error === 'revoked' ? 'revoked' : 'unauthorized');
    if (status === 409) return classified(body?.error === 'gap' ? 'gap' : 'bad_request');
    if (status === 429) return classified('rate_limited', retryAfterMs);
    if (status >= 500) return classified('server_unavailable', retryAfterMs);
    if (status >= 400) return classified('bad_request');
    return classified('bad_response');
  }
  if (isQuotaError(error)) return classified('storage_full');
  return classified('storage_unavailable');
}
