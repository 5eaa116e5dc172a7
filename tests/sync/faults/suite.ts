/**
 * The simulation as a vitest suite over a range of seeds on one server: every seed must pass, and
 * the file records its figures for `npm run reliability`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordFigures } from '../../support/reliability';
import { FAULT_KINDS } from './network';
import { runSeed, type RunReport, type RunShape, type SimServer } from './simulation';

export function faultSuite(options: {
  suite: string;
  open: () => Promise<SimServer>;
  seeds: readonly number[];
  shape?: RunShape;
  /** Per seed (restarting a server process takes seconds). */
  timeoutMs?: number;
}): void {
  let server: SimServer;
  const reports: RunReport[] = [];
  beforeAll(async () => {
    server = await options.open();
  });
  afterAll(async () => {
    await server?.close();
    if (reports.length === 0) return;
    const sum = (f: (r: RunReport) => number) => reports.reduce((n, r) => n + f(r), 0);
    const figures: Record<string, number> = {
      'seeds run': reports.length,
      'devices simulated': sum((r) => r.devices),
      'events checked': sum((r) => r.events),
      'problems folded and compared': sum((r) => r.problems),
      'faults injected': sum((r) => [...r.faults.values()].reduce((a, b) => a + b, 0)),
    };
    for (const kind of FAULT_KINDS)
      figures[`faults: ${kind}`] = sum((r) => r.faults.get(kind) ?? 0);
    figures['server restarts'] = sum((r) => r.restarts);
    figures.lost = sum((r) => r.lost);
    figures.duplicated = sum((r) => r.duplicated);
    figures['events skipped by a pull'] = sum((r) => r.skipped);
    figures.crashes = sum((r) => r.crashes);
    recordFigures(options.suite, figures);
  });

  for (const seed of options.seeds)
    it(
      `seed ${seed}: every confirmed event reaches the server exactly once`,
      async () => {
        const report = await runSeed(server, seed, options.shape);
        reports.push(report);
        expect(report.violations).toEqual([]);
      },
      options.timeoutMs,
    );
}
