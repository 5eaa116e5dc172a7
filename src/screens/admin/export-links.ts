/**
 * Where the browser downloads an export: a plain link to the server's file with the section's
 * filters in its query (the session cookie goes along), so a download needs no script and the
 * browser's own download handling applies.
 */
import type { Id } from '../../domain/ids';
import type { ProblemSource, ProblemStatus } from '../../domain/events';
import type { RatingLevel } from '../../domain/rating';
import { addDays } from '../../domain/schedule';
import type { ExportFormat, ExportKind, ExportQuery } from '../../sync/report-protocol';

const QUERY_ORDER = ['from', 'to', 'department', 'window', 'level', 'status', 'source'] as const;

/** The link of an export file; empty filters are left out. */
export function exportHref(kind: ExportKind, format: ExportFormat, query: ExportQuery): string {
  const params = new URLSearchParams();
  for (const key of QUERY_ORDER) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (query.overdue) params.set('overdue', '1');
  return `/api/v1/admin/exports/${kind}.${format}?${params.toString()}`;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first and last day of a month YYYY-MM, or null for anything else. */
export function monthPeriod(month: string): { from: string; to: string } | null {
  if (!MONTH.test(month)) return null;
  const [year, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
  return { from: `${month}-01`, to: addDays(next, -1) };
}

/** The first day a problem export of "all months" starts from. */
export const EARLIEST_DAY = '2000-01-01';

/** The problem list's filters as an export: its month, or everything up to today. */
export function problemExportQuery(
  filters: {
    department: Id | '';
    source: ProblemSource | '';
    status: ProblemStatus | '';
    overdue: boolean;
    month: string;
  },
  today: string,
): ExportQuery {
  return {
    ...(monthPeriod(filters.month) ?? { from: EARLIEST_DAY, to: today }),
    ...(filters.department ? { department: filters.department } : {}),
    ...(filters.source ? { source: filters.source } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.overdue ? { overdue: true } : {}),
  };
}

/** The filters the ratings section's export asks for; '' is "any". */
export interface RatingExportFilters {
  from: string;
  to: string;
  department: Id | '';
  window: Id | '';
  level: RatingLevel | '';
}

/** From the first of this month to today. */
export function thisMonthSoFar(today: string): RatingExportFilters {
  return { from: `${today.slice(0, 7)}-01`, to: today, department: '', window: '', level: '' };
}

export function ratingExportQuery(f: RatingExportFilters): ExportQuery {
  return {
    from: f.from,
    to: f.to,
    ...(f.department ? { department: f.department } : {}),
    ...(f.window ? { window: f.window } : {}),
    ...(f.level ? { level: f.level } : {}),
  };
}

/** A period the server takes: two dates, the first not after the second. */
export function isPeriod(q: { from: string; to: string }): boolean {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  return date.test(q.from) && date.test(q.to) && q.from <= q.to;
}
