/**
 * Figures of the reliability suites (fault simulation, kills, fuzzing, access matrix): each suite
 * records what it tried and what it found, and `npm run reliability` prints them as one table after
 * `npm test`. A suite records once, after all its cases ran (e.g. in `afterAll`), so its figures
 * are those of the last run.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const RELIABILITY_DIR = resolve(import.meta.dirname, '../../.tmp/reliability');

/**
 * Counts of one suite, by label ("seeds run", "faults injected", "kills survived", "events
 * checked", "fuzz cases tried" …). Failures found are counted under `lost`, `duplicated` and
 * `crashes` — zero in a passing run, and recorded anyway so the table says so.
 */
export interface SuiteFigures {
  suite: string;
  figures: Record<string, number>;
  /** Machine time the suite finished (ISO). */
  at: string;
}

/** Write (replace) the figures of `suite`; the name is also its file name. */
export function recordFigures(suite: string, figures: Record<string, number>): void {
  if (!/^[a-z0-9-]+$/.test(suite)) throw new Error(`suite name "${suite}" must be kebab-case`);
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  const entry: SuiteFigures = { suite, figures, at: new Date().toISOString() };
  writeFileSync(join(RELIABILITY_DIR, `${suite}.json`), `${JSON.stringify(entry, null, 2)}\n`);
}

/** Every suite's last figures, by suite name. */
export function readFigures(dir = RELIABILITY_DIR): SuiteFigures[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as SuiteFigures);
}
