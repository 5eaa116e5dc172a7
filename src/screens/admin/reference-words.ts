/** Words for what a reference data form found wrong with a field (`refdata.issues`). */
import { t } from '../../i18n';

const ISSUE_CODES = [
  'required',
  'bad_code',
  'too_long',
  'bad_order',
  'duplicate_code',
  'bad_interval',
  'bad_idle',
  'bad_weight',
  'at_least_one_weight',
  'bad_time',
  'open_before_close',
  'bad_silent',
  'bad_armed',
  'bad_due_days',
  'missing',
  'invalid_min_length',
  'invalid_max_length',
  'invalid_regex',
  'invalid_min_value',
  'invalid_max_value',
  'invalid_integer',
  'invalid_type',
  'invalid_check',
  'invalid_picklist',
] as const;

/** A field's reason code in words; a code without own words is named as it is. */
export function issueText(code: string): string {
  const known = ISSUE_CODES.find((c) => c === code);
  return known ? t(`refdata.issues.${known}`) : t('admin.errors.generic', { message: code });
}
