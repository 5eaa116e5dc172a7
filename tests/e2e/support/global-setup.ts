/**
 * Starts the real server the way an operator does (`src/server/main.ts`, which `npm start` runs)
 * against a fresh embedded database, serving the built app, and hands the tests what it printed:
 * the administrator's one-time password and an evaluator enrollment code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
export const E2E_PORT = 8181;

function waitForBanner(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/Password:\s+\S+/.test(out) && /─{20,}\n\s*$/.test(out)) {
        clearTimeout(timer);
        resolvePromise(out);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hall-kiosk-e2e-'));
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(E2E_PORT),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      PUBLIC_URL: `http://127.0.0.1:${E2E_PORT}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const banner = await waitForBanner(child);
  process.env.E2E_ADMIN_PASSWORD = /Password:\s+(\S+)/.exec(banner)![1]!;
  process.env.E2E_ENROLL_CODE = /window \w+: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(banner)![1]!;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
