/**
 * vitest globalSetup: a PostgreSQL server for the server tests.
 *
 * `TEST_DATABASE_URL` (an administrator URL) is used as is when set. Otherwise a throwaway cluster
 * is created with Debian's PostgreSQL binaries in a temporary folder, listening on 127.0.0.1 on a
 * free port, and removed again at teardown. Without PostgreSQL the run fails under CI and only
 * warns elsewhere (the PostgreSQL half of the suites is then left out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Administrator URL of the test PostgreSQL server; absent when none could be started. */
    postgresUrl?: string;
  }
}

function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Run a PostgreSQL binary; as root, as the `postgres` OS user (initdb refuses to run as root). */
function run(bin: string, args: string[]): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${bin} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

function missing(reason: string): undefined {
  if (process.env.CI) {
    throw new Error(
      `PostgreSQL is required for the server tests under CI but ${reason}. ` +
        'Install Debian\'s "postgresql" package or set TEST_DATABASE_URL.',
    );
  }
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n!! PostgreSQL tests are NOT running: ${reason}.\n` +
      '!! Install Debian\'s "postgresql" package or set TEST_DATABASE_URL.\n' +
      `${line}\n`,
  );
  return undefined;
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return undefined;
  }
  const bin = findBinDir();
  if (!bin) return missing('no /usr/lib/postgresql/*/bin/initdb was found');

  const dir = mkdtempSync(join(tmpdir(), 'hk-pg-'));
  chmodSync(dir, 0o777);
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  const data = join(dir, 'data');
  const port = await freePort();
  run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=300',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  run(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);

  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
