/**
 * The real server started the way an operator starts it (`src/server/main.ts`, which `npm start`
 * runs) on a fresh embedded database, with what its start-up banner printed: the administrator's
 * one-time password and an evaluator enrollment code. Used by the browser tests and benchmarks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  adminPassword: string;
  enrollmentCode: string;
  /** SIGKILL, as a crash or a pulled plug: no shutdown of any kind. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /**
   * False when the database already has its hall (a second process on one PostgreSQL): the
   * banner then prints no password and no enrollment code, and those come back empty.
   */
  fresh?: boolean;
  /**
   * Run on this data folder and keep it on stop (a restart after a crash); default a new
   * temporary folder that stop removes.
   */
  dataDir?: string;
}

export async function startServerProcess(
  port: number,
  env: Record<string, string> = {},
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const fresh = options.fresh ?? true;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hall-kiosk-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      PUBLIC_URL: url,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: tsx runs the server in a child process, and a kill must reach both.
    detached: true,
  });
  const banner = await new Promise<string>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 180_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The banner ends with a rule after the password.
      const ready = fresh ? /Password:[^\n]*\n[\s\S]*─{20,}\s*$/ : /Console:[\s\S]*─{20,}\s*$/;
      if (ready.test(out)) {
        clearTimeout(timer);
        done(out);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const password = /Password:\s+(\S+)/.exec(banner)?.[1];
  const code = /window \w+: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(banner)?.[1];
  if (fresh && (!password || !code)) throw new Error(`unexpected start-up banner:\n${banner}`);
  return {
    url,
    adminPassword: password ?? '',
    enrollmentCode: code ?? '',
    async kill() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
