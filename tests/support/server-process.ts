/**
 * The real server started the way an operator starts it (`src/server/main.ts`, which `npm start`
 * runs) on a fresh embedded database, with what its start-up banner printed: the administrator's
 * one-time password and an evaluator enrollment code. Used by the browser tests and benchmarks.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  adminPassword: string;
  enrollmentCode: string;
  /**
   * SIGKILL, as a crash or a pulled plug: no shutdown of any kind. Resolves once every process
   * of the server is gone and its port is free; rejects (never hangs) if that takes over 10 s.
   */
  kill(): Promise<void>;
  /** False once the process exited or was killed. */
  running(): boolean;
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
  /** How long the start may take before it fails (the process is then killed); default 180 s. */
  startTimeoutMs?: number;
}

/** Resolves with `promise`, or rejects after `ms` saying what did not happen: a wait never hangs. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * True while any process of group `pgid` exists, a zombie not yet reaped included: the data
 * folder's lock (src/server/db/lock.ts) takes a zombie's pid for a live holder.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while something accepts connections on `port` at 127.0.0.1. */
function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** What listens on `port`, for an error message (empty when `ss` is not there). */
function listeners(port: number): string {
  try {
    return `\nListening on ${port}:\n${execSync(`ss -ltnp 'sport = :${port}'`, { encoding: 'utf8' })}`;
  } catch {
    return '';
  }
}

/** Polls `probe` until it says true; rejects after `ms` saying what did not happen. */
async function until(ms: number, what: string, probe: () => boolean | Promise<boolean>) {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startServerProcess(
  port: number,
  env: Record<string, string> = {},
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const fresh = options.fresh ?? true;
  const startMs = options.startTimeoutMs ?? 180_000;
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
  const pgid = child.pid!;
  // Settled once, when the process is gone: later waits read this, never a past event.
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const running = () => child.exitCode === null && child.signalCode === null;
  // Both pipes are read for the process's whole life, so a chatty server never blocks on a full
  // pipe; only the tail is kept, for error messages.
  let out = '';
  let started = false;
  let log = '';
  const keep = (text: string) => (log = (log + text).slice(-20_000));
  child.stderr.on('data', (chunk: Buffer) => keep(chunk.toString()));
  const banner = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => {
      if (running()) process.kill(-pgid, 'SIGKILL');
      fail(new Error(`server on port ${port} did not start within ${startMs} ms:\n${log}`));
    }, startMs);
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      keep(text);
      if (started) return;
      out += text;
      // The banner ends with a rule after the password (or after the console's address when
      // the hall exists); what the server prints after it does not matter.
      const ready = fresh ? /Password:[^\n]*\n[\s\S]*─{20,}/ : /Console:[\s\S]*─{20,}/;
      if (ready.test(out)) {
        started = true;
        clearTimeout(timer);
        done(out);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      // A port still taken: say by what, as the process table tells it.
      const holders = /EADDRINUSE/.test(log) ? listeners(port) : '';
      fail(
        new Error(`server exited with ${child.exitCode ?? child.signalCode}:\n${log}${holders}`),
      );
    });
  });
  const password = /Password:\s+(\S+)/.exec(banner)?.[1];
  const code = /window \w+: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(banner)?.[1];
  if (fresh && (!password || !code)) throw new Error(`unexpected start-up banner:\n${banner}`);
  async function kill(): Promise<void> {
    if (running() || groupAlive(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
    await within(10_000, `server on port ${port} to die`, exited);
    // The tsx process may be reaped before the server it ran: wait for the whole group and the
    // port, so a restart on the same data folder and port finds both free.
    await until(10_000, `server process group ${pgid} to end`, () => !groupAlive(pgid));
    await until(10_000, `port ${port} to close`, async () => !(await portOpen(port)));
  }
  return {
    url,
    adminPassword: password ?? '',
    enrollmentCode: code ?? '',
    running,
    kill,
    async stop() {
      if (running()) {
        child.kill('SIGTERM');
        await within(15_000, `server on port ${port} to stop`, exited).catch(kill);
      }
      // tsx exits once it has passed the signal on; the server it ran may still be closing.
      await until(15_000, `server process group ${pgid} to end`, () => !groupAlive(pgid)).catch(
        kill,
      );
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
