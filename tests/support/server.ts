/**
 * A real hall server in the test process: the demo hall seeded into a fresh database, listening
 * on a random loopback port. Client and server tests talk to it over HTTP (`url`) or in-process
 * (`app.inject`), and look at what it stored through `db`.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import type { Db } from '../../src/server/db/db';
import { migrate } from '../../src/server/db/migrations';
import { openPglite } from '../../src/server/db/pglite';
import { seedDemoHall, type DemoSeed } from '../../src/server/seed';
import { createEnrollment } from '../../src/server/services/enroll';
import { openPostgresTestDb, postgresUrl, type BackendName } from './databases';

export interface TestServerOptions {
  /** Default: in-memory PGlite. */
  backend?: BackendName;
  /** The server's clock (ms since epoch); default Date.now. */
  now?: () => number;
  /** Serve this folder as the built client (static files and the app-path fallback). */
  staticDir?: string;
  /** Wrap the database (e.g. to inject failures) before the app uses it. */
  wrapDb?: (db: Db) => Db;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  app: FastifyInstance;
  /** The database the server uses (unwrapped). */
  db: Db;
  seed: DemoSeed;
  /** A new one-time enrollment code for an evaluator bound to a window (default: the first). */
  enroll(role: 'evaluator', windowCode?: string): Promise<string>;
  close(): Promise<void>;
}

async function openDb(backend: BackendName): Promise<Db> {
  if (backend === 'pglite') return openPglite();
  const url = postgresUrl();
  if (!url)
    throw new Error(
      'PostgreSQL is not available for this test run (see tests/support/postgres.ts)',
    );
  return openPostgresTestDb(url);
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const now = opts.now ?? Date.now;
  const db = await openDb(opts.backend ?? 'pglite');
  try {
    await migrate(db);
    const seed = await seedDemoHall(db, now());
    if (!seed) throw new Error('a fresh test database already had a hall');
    const app = await buildApp({
      db: opts.wrapDb ? opts.wrapDb(db) : db,
      config: loadConfig({}),
      logger: false,
      now,
      ...(opts.staticDir ? { staticDir: opts.staticDir } : {}),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let closed = false;
    return {
      url: `http://127.0.0.1:${port}`,
      app,
      db,
      seed,
      async enroll(role, windowCode) {
        const window = windowCode
          ? seed.windows.find((w) => w.code === windowCode)
          : seed.windows[0];
        if (!window) throw new Error(`the demo hall has no window ${windowCode}`);
        const e = await createEnrollment(db, seed.hall.id, { role, windowId: window.id }, now());
        return e.code;
      },
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
