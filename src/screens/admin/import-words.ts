/** Words for a CSV import problem: ours for known codes, else the server's sentence. */
import { t } from '../../i18n';
import type { ImportIssue } from './duty-api';

const KNOWN = [
  'bad_date',
  'unknown_leader',
  'unknown_department',
  'unknown_window',
  'bad_time',
  'ends_before_start',
  'not_csv',
  'missing_columns',
  'empty',
] as const;

export function importIssueText(issue: ImportIssue): string {
  const known = KNOWN.find((code) => code === issue.code);
  return known ? t(`admin.import.errors.${known}`) : issue.message || issue.code;
}
