/**
 * The console's 节假日与时限 section: each year of the holiday calendar (public holidays and
 * make-up working days, 调休) as editable date lists, and the working days allowed per source.
 * Years are written as `ref.holidaysSaved`, due days as `ref.settingsSaved`.
 */
import type { HolidayYear } from '../../domain/calendar';
import type { DueDays } from '../../domain/problem';
import type { CalendarResponse } from '../../sync/pipeline-protocol';
import { Loadable } from './admin-state.svelte';
import { FormRun } from './form-run.svelte';
import type { PipelineApi } from './pipeline-api';
import { checkDueDays, checkHolidayYear } from './pipeline-forms';

export interface CalendarDeps {
  api: PipelineApi;
  onError: (error: unknown) => void;
}

export type CalendarDone = 'yearSaved' | 'dueDaysSaved';

export type CalendarYear = CalendarResponse['years'][number];

export interface YearFields {
  holidays: string;
  workdays: string;
  confirmed: boolean;
}

export class CalendarState {
  #deps: CalendarDeps;
  /** Years added here and not saved yet. */
  #added = $state.raw<number[]>([]);
  readonly run: FormRun<CalendarDone>;
  readonly calendar: Loadable<CalendarResponse>;

  constructor(deps: CalendarDeps) {
    this.#deps = deps;
    this.run = new FormRun(deps.onError);
    this.calendar = new Loadable(() => deps.api.calendar(), deps.onError);
  }

  /** The years in force, and any added here, in order. */
  get years(): CalendarYear[] {
    const years = [...(this.calendar.data?.years ?? [])];
    for (const year of this.#added) {
      if (!years.some((y) => y.year === year))
        years.push({ year, holidays: [], workdays: [], confirmed: false, source: 'hall' });
    }
    return years.sort((a, b) => a.year - b.year);
  }

  get dueDays(): DueDays | null {
    return this.calendar.data?.dueDays ?? null;
  }

  /** Start a year the calendar does not have yet (e.g. when the next year's notice is out). */
  addYear(text: string): boolean {
    const year = Number(text.trim());
    if (!Number.isInteger(year) || year < 2000 || year > 2100)
      return this.run.refuse('addYear', { code: 'bad_year', value: text });
    this.run.reset();
    if (!this.years.some((y) => y.year === year)) this.#added = [...this.#added, year];
    return true;
  }

  async saveYear(year: number, fields: YearFields): Promise<boolean> {
    const where = `year-${year}`;
    const checked = checkHolidayYear(year, fields.holidays, fields.workdays, fields.confirmed);
    if (!checked.ok) return this.run.refuse(where, checked.problem);
    const value: HolidayYear = checked.value;
    return this.run.run(where, 'yearSaved', async () => {
      await this.#deps.api.saveHolidays(value);
      await this.calendar.refresh();
      this.#added = this.#added.filter((y) => y !== year);
    });
  }

  async saveDueDays(fields: Record<keyof DueDays, string | number | null>): Promise<boolean> {
    const checked = checkDueDays(fields);
    if (!checked.ok) return this.run.refuse('dueDays', checked.problem);
    const value = checked.value;
    return this.run.run('dueDays', 'dueDaysSaved', async () => {
      await this.#deps.api.saveSettings(value);
      await this.calendar.refresh();
    });
  }

  clear(): void {
    this.calendar.clear();
    this.#added = [];
    this.run.reset();
  }
}
