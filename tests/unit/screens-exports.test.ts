import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { hallDate } from '../../src/domain/schedule';
import { locale } from '../../src/i18n';
import DateField from '../../src/screens/admin/DateField.svelte';
import ExportPanel from '../../src/screens/admin/ExportPanel.svelte';
import {
  EARLIEST_DAY,
  exportHref,
  isPeriod,
  monthPeriod,
  problemExportQuery,
  ratingExportQuery,
  thisMonthSoFar,
} from '../../src/screens/admin/export-links';

describe('console export links', () => {
  it('links a kind and format with the filters given, in a fixed order, leaving out empty ones', () => {
    expect(
      exportHref('ratings', 'csv', {
        level: 'dissatisfied',
        window: 'w-1',
        from: '2026-11-01',
        to: '2026-11-30',
        department: '',
      }),
    ).toBe(
      '/api/v1/admin/exports/ratings.csv?from=2026-11-01&to=2026-11-30&window=w-1&level=dissatisfied',
    );
    expect(exportHref('ratings-exchange', 'xlsx', { from: '2026-11-01', to: '2026-11-01' })).toBe(
      '/api/v1/admin/exports/ratings-exchange.xlsx?from=2026-11-01&to=2026-11-01',
    );
  });

  it('asks for problems past a deadline only when the list does', () => {
    const period = { from: '2026-11-01', to: '2026-11-30' };
    expect(exportHref('problems', 'xlsx', { ...period, overdue: true })).toBe(
      '/api/v1/admin/exports/problems.xlsx?from=2026-11-01&to=2026-11-30&overdue=1',
    );
    expect(exportHref('problems', 'xlsx', { ...period, overdue: false })).toBe(
      '/api/v1/admin/exports/problems.xlsx?from=2026-11-01&to=2026-11-30',
    );
  });

  it('escapes what it puts in the query', () => {
    expect(
      exportHref('problems', 'csv', { from: '2026-11-01', to: '2026-11-30', department: 'a&b=c' }),
    ).toBe('/api/v1/admin/exports/problems.csv?from=2026-11-01&to=2026-11-30&department=a%26b%3Dc');
  });

  it('spans a month from its first to its last day, leap years and December included', () => {
    expect(monthPeriod('2026-11')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(monthPeriod('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(monthPeriod('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(monthPeriod('')).toBeNull();
    expect(monthPeriod('2026-13')).toBeNull();
  });

  it('exports the problem list’s filters: its month, or everything up to today', () => {
    const filters = {
      department: 'd-1',
      source: 'walk',
      status: 'assigned',
      overdue: true,
      month: '2026-02',
    } as const;
    expect(problemExportQuery(filters, '2026-11-18')).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
      department: 'd-1',
      source: 'walk',
      status: 'assigned',
      overdue: true,
    });
    expect(
      problemExportQuery(
        { department: '', source: '', status: '', overdue: false, month: '' },
        '2026-11-18',
      ),
    ).toEqual({ from: EARLIEST_DAY, to: '2026-11-18' });
  });

  it('starts the ratings export at this month so far and keeps only the filters chosen', () => {
    const f = thisMonthSoFar('2026-11-18');
    expect(f).toEqual({
      from: '2026-11-01',
      to: '2026-11-18',
      department: '',
      window: '',
      level: '',
    });
    expect(ratingExportQuery(f)).toEqual({ from: '2026-11-01', to: '2026-11-18' });
    expect(ratingExportQuery({ ...f, department: 'd-1', level: 'satisfied' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-18',
      department: 'd-1',
      level: 'satisfied',
    });
  });

  it('offers links only for a period the server takes', () => {
    expect(isPeriod({ from: '2026-11-01', to: '2026-11-01' })).toBe(true);
    expect(isPeriod({ from: '2026-11-02', to: '2026-11-01' })).toBe(false);
    expect(isPeriod({ from: '', to: '2026-11-01' })).toBe(false);
  });
});

describe('console date fields', () => {
  const dateInput = (html: string, testid: string) =>
    new RegExp(`<input class="input" type="date" data-testid="${testid}" value="([^"]*)"`).exec(
      html,
    )?.[1];

  it('labels a day and shows the one chosen', () => {
    const html = render(DateField, {
      props: { label: '开始日期', value: '2026-11-01', testid: 'from', onchange: () => {} },
    }).body;
    expect(html).toMatch(/<label class="field date"><span>开始日期<\/span>/);
    expect(dateInput(html, 'from')).toBe('2026-11-01');
  });

  it('asks the ratings export for its period, from this month’s first day to today', async () => {
    await locale.use('admin');
    const html = render(ExportPanel, {
      props: { kinds: ['ratings'], choose: { departments: [], windows: [] } },
    }).body;
    const today = hallDate(Date.now());
    expect(html).toContain('<span>开始日期</span>');
    expect(html).toContain('<span>结束日期</span>');
    expect(dateInput(html, 'export-from')).toBe(thisMonthSoFar(today).from);
    expect(dateInput(html, 'export-to')).toBe(today);
    expect(html).toContain('data-testid="export-ratings-csv"');
  });
});
