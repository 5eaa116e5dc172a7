import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, runCommand } from '../../src/server/cli';
import { loadConfig } from '../../src/server/config';
import { verifyPassword } from '../../src/server/crypto';
import { DataDirBusyError, openDb } from '../../src/server/db/index';
import { OperatorError } from '../../src/server/operator';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';

describe.each(backends)('hall command line on $name', ({ name }) => {
  let server: TestServer;
  const config = loadConfig({ PUBLIC_URL: 'https://hall.example.org' });
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  async function run(...argv: string[]): Promise<string[]> {
    const lines: string[] = [];
    expect(await runCommand(argv, server.db, config, (l) => lines.push(l))).toBe(0);
    return lines;
  }

  it('creates an evaluator code that enrolls a device bound to the window', async () => {
    const lines = await run(
      'enroll',
      '--role',
      'evaluator',
      '--window',
      'c02',
      '--name',
      'C02 评价器',
    );
    const code = /Enrollment code: (\S+)/.exec(lines.join('\n'))![1]!;
    expect(lines.join('\n')).toContain(`https://hall.example.org/setup?code=${code}`);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: { code },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().windowId).toBe(server.seed.windows.find((w) => w.code === 'C02')!.id);
  });

  it('prints rating card URLs', async () => {
    const one = await run('card', 'A01');
    expect(one[1]).toBe(`https://hall.example.org${server.seed.windows[0]!.ratingPath}`);
    const all = await run('cards');
    expect(all).toHaveLength(server.seed.windows.length);
    expect(all.every((l) => /https:\/\/hall\.example\.org\/r\/[A-H]\d\d\?s=/.test(l))).toBe(true);
  });

  it('resets the administrator password', async () => {
    const lines = await run('reset-admin-password');
    const password = /New password for admin: (\S+)/.exec(lines[0]!)![1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(password).not.toBe(server.seed.admin.password);
    const rows = await server.db.query<{ hash: string }>(
      "SELECT password_hash AS hash FROM admins WHERE username = 'admin'",
    );
    expect(await verifyPassword(password, rows[0]!.hash)).toBe(true);
    const old = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { username: 'admin', password: server.seed.admin.password },
    });
    expect(old.statusCode).toBe(401);
  });

  it('explains bad commands and unknown windows', async () => {
    const out = () => {};
    await expect(runCommand(['bogus'], server.db, config, out)).rejects.toBeInstanceOf(UsageError);
    await expect(
      runCommand(['enroll', '--role', 'evaluator'], server.db, config, out),
    ).rejects.toThrow(/--window/);
    await expect(
      runCommand(['enroll', '--role', 'janitor'], server.db, config, out),
    ).rejects.toThrow(/--role must be one of/);
    await expect(runCommand(['card', 'Z99'], server.db, config, out)).rejects.toThrow(
      OperatorError,
    );
    await expect(runCommand(['card', 'Z99'], server.db, config, out)).rejects.toThrow(
      /no window "Z99".*A01/,
    );
    await expect(
      runCommand(['enroll', '--role', 'evaluator', '--window', 'Z99'], server.db, config, out),
    ).rejects.toThrow(/no window "Z99"/);
  });
});

describe('the embedded database folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hk-data-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is opened by one process at a time and persists across opens', async () => {
    const config = { dataDir: dir };
    const db = await openDb(config);
    await db.exec('CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42);');
    // Another opener (e.g. the command line while the server runs) is refused, not allowed to corrupt it.
    await expect(openDb(config)).rejects.toBeInstanceOf(DataDirBusyError);
    await db.close();
    const again = await openDb(config);
    expect(await again.query('SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await again.close();
  });

  it('takes over a lock left by a process that died', async () => {
    writeFileSync(join(dir, 'db.lock'), '2147483646');
    const db = await openDb({ dataDir: dir });
    await db.close();
    expect(existsSync(join(dir, 'db.lock'))).toBe(false);
  });
});
