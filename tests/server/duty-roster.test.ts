import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { PBKDF2_ITERATIONS, pinHash } from '../../src/domain/pin';
import { verifyPassword } from '../../src/server/crypto';
import type { RosterLeader } from '../../src/server/services/roster';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice } from './helpers';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  setPin,
  type Console,
} from './duty-support';

describe.each(backends)('leaders roster on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    admin = consoleClient(server, await consoleCookie(server));
  });
  afterAll(() => server.close());

  const roster = async () => {
    const res = await admin.get('/api/v1/admin/leaders');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ leaders: RosterLeader[] }>().leaders;
  };

  it('lists the seeded leaders with their department and no PIN', async () => {
    const leaders = await roster();
    expect(leaders).toHaveLength(server.seed.leaders.length);
    const director = leaders.find((l) => l.title === '税务局局长')!;
    expect(director).toMatchObject({
      departmentId: server.seed.departments[0]!.id,
      departmentName: '税务',
      titleEn: 'Director of the Tax Bureau',
      active: true,
      hasPin: false,
    });
    expect(director.badgeCode).toBe('TAX-1');
  });

  it('adds, edits and deactivates a leader through ref.leaderSaved events', async () => {
    const dept = server.seed.departments[1]!;
    const created = await admin.ok<{ leader: RosterLeader }>('/api/v1/admin/leaders', {
      title: '人力资源和社会保障局党组书记',
      departmentId: dept.id,
      badgeCode: 'HR-007',
      titleEn: '',
      active: true,
    });
    const id = created.leader.id;
    expect(created.leader).toEqual({
      id,
      title: '人力资源和社会保障局党组书记',
      departmentId: dept.id,
      departmentName: dept.name,
      badgeCode: 'HR-007',
      active: true,
      hasPin: false,
    });
    const events = await server.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE type = 'ref.leaderSaved' AND payload ->> 'leaderId' = $1",
      [id],
    );
    expect(events[0]!.n).toBe(1);

    const edited = await admin.ok<{ leader: RosterLeader }>('/api/v1/admin/leaders', {
      leaderId: id,
      title: '人力资源和社会保障局党组书记',
      titleEn: 'Party Secretary of the HRSS Bureau',
      departmentId: dept.id,
      badgeCode: 'HR-008',
      active: false,
    });
    expect(edited.leader).toMatchObject({
      id,
      titleEn: 'Party Secretary of the HRSS Bureau',
      badgeCode: 'HR-008',
      active: false,
    });
    expect((await roster()).find((l) => l.id === id)).toEqual(edited.leader);
  });

  it('refuses a leader without a title, in an unknown department, or with a taken badge', async () => {
    const dept = server.seed.departments[0]!.id;
    const noTitle = await admin.post('/api/v1/admin/leaders', {
      title: '',
      departmentId: dept,
      active: true,
    });
    expect(noTitle.statusCode).toBe(400);
    expect(noTitle.json().issues[0].path).toBe('payload.title');

    const noDept = await admin.post('/api/v1/admin/leaders', {
      title: '某局局长',
      departmentId: newId(),
      active: true,
    });
    expect(noDept.statusCode).toBe(400);
    expect(noDept.json().error).toBe('unknown_department');

    await admin.ok('/api/v1/admin/leaders', {
      title: '税务局总经济师',
      departmentId: dept,
      badgeCode: 'TAX-9',
      active: true,
    });
    const taken = await admin.post('/api/v1/admin/leaders', {
      title: '税务局总会计师',
      departmentId: dept,
      badgeCode: 'tax-9',
      active: true,
    });
    expect(taken.statusCode).toBe(400);
    expect(taken.json().error).toBe('duplicate_badge');

    const unknown = await admin.post('/api/v1/admin/leaders', {
      leaderId: newId(),
      title: '税务局总会计师',
      departmentId: dept,
      active: true,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('unknown_leader');
  });

  it('sets and resets a PIN: scrypt on the server, a new PBKDF2 version each time', async () => {
    const leader = server.seed.leaders[0]!;
    await setPin(admin, leader.id, '2468');
    const first = await server.db.query<{ scryptHash: string; version: number }>(
      'SELECT scrypt_hash AS "scryptHash", version FROM leader_pins WHERE leader_id = $1',
      [leader.id],
    );
    expect(first[0]!.version).toBe(1);
    expect(first[0]!.scryptHash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('2468', first[0]!.scryptHash)).toBe(true);
    expect((await roster()).find((l) => l.id === leader.id)!.hasPin).toBe(true);

    await setPin(admin, leader.id, '13579');
    const versions = await server.db.query<{
      version: number;
      salt: string;
      iterations: number;
      hash: string;
    }>(
      'SELECT version, salt, iterations, hash FROM leader_pin_versions WHERE leader_id = $1 ORDER BY version',
      [leader.id],
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0]!.salt).not.toBe(versions[1]!.salt);
    for (const [v, pin] of [
      [versions[0]!, '2468'],
      [versions[1]!, '13579'],
    ] as const) {
      expect(v.iterations).toBe(PBKDF2_ITERATIONS);
      expect(await pinHash(pin, v.salt, v.iterations)).toBe(v.hash);
    }
    // The PIN itself is stored nowhere.
    const dump = JSON.stringify(
      await server.db.query(
        'SELECT * FROM leader_pins p JOIN leader_pin_versions v USING (leader_id)',
      ),
    );
    expect(dump).not.toContain('13579');
    expect(dump).not.toContain('2468');
  });

  it('refuses a PIN that is not 4 to 8 digits, and an unknown leader', async () => {
    const leader = server.seed.leaders[1]!;
    for (const pin of ['123', '123456789', '12ab', 1234, '']) {
      const res = await admin.post(`/api/v1/admin/leaders/${leader.id}/pin`, { pin });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('bad_pin');
    }
    const res = await admin.post(`/api/v1/admin/leaders/${newId()}/pin`, { pin: '1234' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('unknown_leader');
  });

  it('gives kiosks and tablets the current PIN of active leaders only', async () => {
    const [a, b] = [server.seed.leaders[2]!, server.seed.leaders[3]!];
    await setPin(admin, a.id, '1111');
    await setPin(admin, a.id, '2222');
    await setPin(admin, b.id, '3333');
    await admin.ok('/api/v1/admin/leaders', {
      leaderId: b.id,
      title: b.title,
      titleEn: b.titleEn,
      departmentId: b.departmentId,
      active: false,
    });

    const kiosk = await enrollRole(server, 'duty_kiosk');
    const pins = await kioskPins(server, kiosk);
    const mine = pins.find((p) => p.leaderId === a.id)!;
    expect(mine).toEqual({
      leaderId: a.id,
      version: 2,
      salt: expect.stringMatching(/^[0-9a-f]{32}$/),
      iterations: PBKDF2_ITERATIONS,
      hash: await pinHash('2222', mine.salt, PBKDF2_ITERATIONS),
    });
    expect(pins.some((p) => p.leaderId === b.id)).toBe(false);

    const tablet = await enrollRole(server, 'inspection_tablet');
    expect((await kioskPins(server, tablet)).map((p) => p.leaderId)).toEqual(
      pins.map((p) => p.leaderId),
    );
  });

  it('refuses the PINs to an evaluator (403), a stranger (401) and the console cookie', async () => {
    const evaluator = await enrollDevice(server);
    const asEvaluator = await server.app.inject({
      url: '/api/v1/roster/pins',
      headers: evaluator.authorization(),
    });
    expect(asEvaluator.statusCode).toBe(403);
    expect(asEvaluator.json().error).toBe('not_allowed');

    const anonymous = await server.app.inject({ url: '/api/v1/roster/pins' });
    expect(anonymous.statusCode).toBe(401);
    expect((await admin.get('/api/v1/roster/pins')).statusCode).toBe(401);
  });

  it('answers 401 to the roster, schedule and attendance routes without a session', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/admin/leaders'],
      ['POST', '/api/v1/admin/leaders'],
      ['POST', `/api/v1/admin/leaders/${server.seed.leaders[0]!.id}/pin`],
      ['GET', '/api/v1/admin/shifts?from=2026-01-01&to=2026-01-31'],
      ['POST', '/api/v1/admin/shifts'],
      ['POST', `/api/v1/admin/shifts/${newId()}/cancel`],
      ['POST', '/api/v1/admin/shifts/weekly'],
      ['POST', '/api/v1/admin/shifts/import'],
      ['POST', '/api/v1/admin/shifts/publish'],
      ['GET', '/api/v1/admin/attendance?month=2026-01'],
      ['GET', '/api/v1/admin/attendance.csv?month=2026-01'],
    ] as const) {
      const res = await server.app.inject({ method, url, payload: {} });
      expect(res.statusCode, url).toBe(401);
    }
  });
});
