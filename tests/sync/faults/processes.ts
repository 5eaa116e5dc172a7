/**
 * Two real server processes (`src/server/main.ts`, as `npm start` runs it) on one PostgreSQL
 * database, behind the simulated network: each request goes to whichever the seed picks, and a
 * restart kills one of them outright (SIGKILL) while the other goes on serving.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../src/server/db/db';
import { migrate } from '../../../src/server/db/migrations';
import { openPostgres } from '../../../src/server/db/postgres';
import { admin } from '../../support/databases';
import { startServerProcess, type ServerProcess } from '../../support/server-process';
import type { ServerHandle } from './network';
import type { SimServer } from './simulation';

export async function startProcessServers(adminUrl: string, ports: number[]): Promise<SimServer> {
  const name = `hk_sim_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  // Client addresses come from X-Forwarded-For, so each simulated device has its own rate limits.
  const env = {
    DATABASE_URL: databaseUrl,
    TRUST_PROXY: 'true',
    LOG_LEVEL: 'silent',
    // The devices here are simulated: no client to build (which would race other tests' builds).
    BUILD_CLIENT: 'never',
  };
  const db: Db = await openPostgres(databaseUrl);
  await migrate(db);
  const processes: ServerProcess[] = [];
  try {
    // The first one seeds its demo hall; the others find it there.
    for (const [i, port] of ports.entries())
      processes.push(await startServerProcess(port, env, { fresh: i === 0 }));
  } catch (error) {
    await Promise.allSettled(processes.map((p) => p.stop()));
    throw error;
  }

  const handle: ServerHandle = {
    crashes: true,
    send(sent, rng) {
      const target = processes[rng.int(0, processes.length - 1)]!;
      return fetch(`${target.url}${sent.url}`, {
        method: sent.method,
        headers: { ...sent.headers, 'x-forwarded-for': sent.remoteAddress },
        ...(sent.body !== undefined ? { body: sent.body } : {}),
      });
    },
    async restart(rng) {
      const i = rng.int(0, processes.length - 1);
      await processes[i]!.kill();
      processes[i] = await startServerProcess(ports[i]!, env, { fresh: false });
    },
  };
  return {
    db,
    handle,
    async close() {
      await Promise.allSettled(processes.map((p) => p.stop()));
      await db.close();
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
