/** Words for a console failure: our own for known codes, else the server's message. */
import { t } from '../../i18n';
import type { Failure } from './admin-state.svelte';

const OWN_WORDS = [
  'bad_credentials',
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
