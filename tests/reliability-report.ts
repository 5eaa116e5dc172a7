/**
 * `npm run reliability`: the figures the reliability suites recorded in their last run, as a
 * Markdown table, with the totals of what must stay zero (lost, duplicated, crashes).
 */
import { readFigures } from './support/reliability';

const MUST_BE_ZERO = ['lost', 'duplicated', 'crashes'];
// A suite split over several files records its parts as `<suite>--<part>`; they add up.
const merged = new Map<string, Record<string, number>>();
for (const { suite, figures } of readFigures()) {
  const name = suite.split('--')[0]!;
  const sum = merged.get(name) ?? {};
  for (const [label, value] of Object.entries(figures)) sum[label] = (sum[label] ?? 0) + value;
  merged.set(name, sum);
}
const suites = [...merged].map(([suite, figures]) => ({ suite, figures }));
if (suites.length === 0) {
  console.log('No reliability figures yet: run `npm test` first.');
  process.exit(0);
}

const n = (value: number) => value.toLocaleString('en-US');
console.log('| suite | figure | value |');
console.log('|---|---|---|');
for (const { suite, figures } of suites)
  for (const [label, value] of Object.entries(figures))
    console.log(`| ${suite} | ${label} | ${n(value)} |`);

const totals = MUST_BE_ZERO.map(
  (label) => [label, suites.reduce((sum, s) => sum + (s.figures[label] ?? 0), 0)] as const,
);
console.log('');
console.log(totals.map(([label, value]) => `${label}: ${n(value)}`).join(' · '));
if (totals.some(([, value]) => value !== 0)) process.exitCode = 1;
