/** Words for a console failure: our own for known codes, else the server's message. */
import { t } from '../../i18n';
import type { Failure } from './admin-state.svelte';

const OWN_WORDS = [
  'bad_credentials',
  'login_locked',
  'unauthorized',
  'offline',
  'rate_limited',
  'bad_pin',
  'has_errors',
] as const;

export function failureText(failure: Failure): string {
  const known = OWN_WORDS.find((code) => code === failure.code);
  return known
    ? t(`admin.errors.${known}`)
    : t('admin.errors.generic', { message: failure.message || failure.code });
}

/** Reason codes of the server's issues (and refusals) that the pipeline sections say in words. */
const ISSUE_WORDS = [
  'close_needs_reason',
  'appeal_needs_reason',
  'satisfied_only_when_reached',
  'date_outside_year',
  'holiday_and_workday',
  'bad_date',
  'missing',
  'invalid_min_length',
  'invalid_max_length',
  'invalid_min_value',
  'invalid_max_value',
  'invalid_picklist',
  'unknown_problem',
  'unknown_walk',
  'unknown_department',
  'unknown_item',
  'hash_mismatch',
  'http_413',
  'unsupported_media_type',
] as const;

function words(code: string, message: string): string {
  const known = ISSUE_WORDS.find((c) => c === code);
  return known ? t(`admin.issues.${known}`) : failureText({ code, message });
}

/**
 * A failure as lines to show: each issue the server found in words (or its message), else the
 * failure itself.
 */
export function failureLines(failure: Failure): string[] {
  if (failure.issues && failure.issues.length > 0)
    return [...new Set(failure.issues.map((issue) => words(issue.code, issue.message)))];
  return [words(failure.code, failure.message)];
}
