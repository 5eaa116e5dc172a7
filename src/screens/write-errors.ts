/** Turning a failed local write into the words a screen shows. */
import { WriteError, type WriteErrorCode } from '../app/device-api';
import type { MessageKey } from '../i18n';

/** The reason code of a failed write; anything unexpected counts as storage being unavailable. */
export function writeErrorCode(error: unknown): WriteErrorCode {
  return error instanceof WriteError ? error.code : 'storage_unavailable';
}

export function writeErrorKey(code: WriteErrorCode): MessageKey {
  return `writeErrors.${code}`;
}

/** Refusals that are a polite "already counted" rather than a failure. */
export function isPoliteRefusal(code: WriteErrorCode): boolean {
  return code === 'duplicate_ticket' || code === 'too_soon';
}
