import { WriteError } from '../app/device-api';
import { currentStorageChange } from './storage-change';

const QUOTA_NAMES = new Set<string>([
  // Dexie.errnames.QuotaExceeded: the DOMException's own name, which Dexie keeps.
  'QuotaExceededError',
  // Older Firefox reports a full disk under its own name.
  'NS_ERROR_DOM_QUOTA_REACHED',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  inner?: unknown;
  cause?: unknown;
  failures?: unknown;
}

/**
 * True when an IndexedDB failure means the device's storage quota is exhausted. Dexie often wraps
 * the browser's error (an AbortError whose `inner` is the QuotaExceededError), so look inside.
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as ErrorLike;
  if (typeof e.name === 'string' && QUOTA_NAMES.has(e.name)) return true;
  // Legacy DOMException code for QUOTA_EXCEEDED_ERR.
  if (e.code === 22 && e.name !== 'AbortError') return true;
  if (Array.isArray(e.failures) && e.failures.some((f) => isQuotaError(f, depth + 1))) return true;
  return isQuotaError(e.inner, depth + 1) || isQuotaError(e.cause, depth + 1);
}

/**
 * Turn a failed write into the reason code the screens show: a full disk, or storage that cannot
 * be used at all. Refusals already raised as WriteError pass through unchanged.
 */
export function toWriteError(error: unknown): WriteError {
  if (error instanceof WriteError) return error;
  if (isQuotaError(error)) return new WriteError('storage_full', 'the device storage is full');
  if (currentStorageChange() === 'outdated')
    return new WriteError(
      'storage_unavailable',
      'a newer version of the app upgraded the local database in another tab; reload this one',
    );
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new WriteError('storage_unavailable', `local storage failed (${detail})`);
}

/** A record this device was about to write does not pass the shared domain validation. */
export class InvalidRecordError extends Error {
  constructor(readonly issues: readonly { path: string; code: string; message: string }[]) {
    super(`invalid record: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'InvalidRecordError';
  }
}

/** The local log still holds records of an earlier enrollment that the server has not acknowledged. */
export class UnsyncedRecordsError extends Error {
  override name = 'UnsyncedRecordsError';
  constructor(readonly pending: number) {
    super(`${pending} records of the device enrolled here before are not synced yet`);
  }
}
