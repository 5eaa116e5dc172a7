/**
 * The last figures of every benchmark (`npm run bench` prints this after running them all), as one
 * Markdown table with the machine and its load when each ran.
 */
import { machine, markdownTable, readBench } from './results';

const results = readBench();
if (results.length === 0) {
  console.log('No benchmark figures yet: run `npm run bench` first.');
  process.exit(0);
}
console.log(`\nhall-kiosk benchmarks · ${machine()}\n`);
console.log(
  markdownTable(
    ['benchmark', 'what', 'figure', 'target'],
    results.flatMap(({ bench, rows, at, load }) =>
      rows.map(([what, figure, target], i) => [
        i === 0 ? `${bench} (${at.slice(0, 16).replace('T', ' ')}, load ${load})` : '',
        what,
        figure,
        target,
      ]),
    ),
  ),
);
const missed = results.flatMap((r) => r.rows.filter(([, , target]) => target.includes('MISSED')));
console.log(`\n${missed.length} target${missed.length === 1 ? '' : 's'} missed.`);
