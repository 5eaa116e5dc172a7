/**
 * Results of the benchmarks: each benchmark records its rows (what was measured, the figure, the
 * target and whether it was met) and `npm run bench` ends by printing every benchmark's last rows
 * as one table, with the machine they were measured on. Figures only; nothing here asserts.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export const BENCH_DIR = resolve(import.meta.dirname, '../../.tmp/bench');

/** One measured figure: `[what, figure, target]`; the target is empty for context rows. */
export type BenchRow = [what: string, figure: string, target: string];

export interface BenchResults {
  bench: string;
  rows: BenchRow[];
  /** Machine time the benchmark finished (ISO), and the machine's load then. */
  at: string;
  load: number;
}

/** "met" or "MISSED", for a target column. */
export const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

/** Cores, memory, Node and the load average, for the line above a table. */
export function machine(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${load}`;
}

/** Write (replace) the rows of `bench`, named as its file. */
export function recordBench(bench: string, rows: BenchRow[]): void {
  if (!/^[a-z0-9-]+$/.test(bench)) throw new Error(`bench name "${bench}" must be kebab-case`);
  mkdirSync(BENCH_DIR, { recursive: true });
  const entry: BenchResults = {
    bench,
    rows,
    at: new Date().toISOString(),
    load: Number(loadavg()[0]!.toFixed(2)),
  };
  writeFileSync(join(BENCH_DIR, `${bench}.json`), `${JSON.stringify(entry, null, 2)}\n`);
}

/** Every benchmark's last rows, by name. */
export function readBench(dir = BENCH_DIR): BenchResults[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as BenchResults);
}

/** Rows as a Markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}
