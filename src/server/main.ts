/**
 * `npm start`: build the client when its sources changed, open the database (PGlite in DATA_DIR,
 * or PostgreSQL at DATABASE_URL), migrate, seed the demo hall on first start, listen, and print
 * what an operator needs: the console URL, the rating card URLs, an evaluator enrollment code and,
 * once only, the administrator's password. `npm start -- --demo-history N` (or DEMO_HISTORY_DAYS)
 * first fills the untouched demo hall with N days of history (src/server/demo-history.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildApp } from './app';
import { ConfigError, loadConfig, printedBase, type Config } from './config';
import { DataDirBusyError, migrate, openDb, type Db } from './db/index';
import { DEMO_PIN, demoHistoryLine, fillDemoHistory } from './demo-history';
import { OperatorError, enroll, hasEvaluator, ratingCards, requireHall } from './operator';
import { seedDemoHall, upgradeHalls, type DemoSeed } from './seed';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');

/** Newest modification time under `path`; the server's own code is not part of the client. */
function newestMtime(path: string): number {
  if (!existsSync(path) || path === join(ROOT, 'src', 'server')) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Build the client with vite when dist/index.html is missing or older than its sources. */
async function ensureClientBuilt(): Promise<void> {
  // BUILD_CLIENT=never: serve whatever dist/ holds (an API-only process, or a build made apart).
  if (process.env.BUILD_CLIENT === 'never') return;
  const built = existsSync(join(DIST, 'index.html'))
    ? statSync(join(DIST, 'index.html')).mtimeMs
    : 0;
  const sources = Math.max(
    newestMtime(join(ROOT, 'src')),
    newestMtime(join(ROOT, 'public')),
    newestMtime(join(ROOT, 'vite.config.ts')),
  );
  if (built >= sources) return;
  if (!existsSync(join(ROOT, 'src', 'index.html'))) {
    console.warn('No client sources (src/index.html) found; serving the API only.');
    return;
  }
  console.log('Building the client …');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

function banner(lines: string[]): void {
  const rule = '─'.repeat(72);
  console.log(`\n${rule}\n${lines.join('\n')}\n${rule}\n`);
}

async function report(db: Db, config: Config, seed: DemoSeed | null): Promise<void> {
  const base = printedBase(config);
  const hall = await requireHall(db);
  const lines = [`hall-kiosk · ${hall.name}${hall.nameEn ? ` (${hall.nameEn})` : ''}`, ''];
  lines.push(`Console:  ${base}/admin`);
  lines.push('', 'Rating cards:');
  for (const card of await ratingCards(db, config)) {
    if (card.active) lines.push(`  ${card.code.padEnd(6)} ${card.url}   ${card.department}`);
  }
  const codes = seed?.enrollments ?? [];
  if (codes.length === 0 && !(await hasEvaluator(db, hall.id))) {
    const first = (await ratingCards(db, config)).find((c) => c.active);
    if (first) {
      const e = await enroll(db, config, {
        role: 'evaluator',
        windowCode: first.code,
        now: Date.now(),
      });
      codes.push({ ...e, windowCode: first.code });
    }
  }
  if (codes.length > 0) {
    lines.push('', 'Evaluator enrollment (one-time code, valid 24 h):');
    for (const e of codes)
      lines.push(`  window ${e.windowCode}: ${e.code}   ${base}${e.setupPath}`);
  } else {
    lines.push('', 'New evaluator codes: npm run hall -- enroll --role evaluator --window A01');
  }
  if (seed) {
    lines.push(
      '',
      `Administrator: ${seed.admin.username}`,
      `Password:      ${seed.admin.password}`,
      'This password is shown only now. Reset it with: npm run hall -- reset-admin-password',
    );
  }
  banner(lines);
}

/** `--demo-history N`: fill the untouched demo hall with N days of history, once. */
async function demoHistory(db: Db, days: number): Promise<void> {
  console.log(`Demo history: filling ${days} days …`);
  const history = await fillDemoHistory(db, { days });
  console.log(demoHistoryLine(history));
  if (!history.filled) return;
  if (history.rejected > 0) {
    console.warn(`Demo history: the server refused ${history.rejected} of its events.`);
  }
  console.log(
    `Demo history: leaders that had no PIN sign in with ${DEMO_PIN}; set theirs in the console.`,
  );
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  await ensureClientBuilt();
  const db = await openDb(config);
  let closing = false;
  try {
    await migrate(db);
    const seed = await seedDemoHall(db, Date.now());
    await upgradeHalls(db, Date.now());
    if (config.demoHistoryDays !== undefined) await demoHistory(db, config.demoHistoryDays);
    const app = await buildApp({
      db,
      config,
      staticDir: DIST,
      logger: { level: config.logLevel },
    });
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      console.log(`\n${signal}: shutting down …`);
      try {
        await app.close();
      } finally {
        await db.close();
      }
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    await app.listen({ port: config.port, host: config.host });
    await report(db, config, seed);
  } catch (error) {
    await db.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DataDirBusyError ||
    error instanceof OperatorError
  ) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
