/**
 * Who may call what: every endpoint the server has (enumerated from the app — a new endpoint
 * without a rule here fails the test) against every kind of caller, with the expected answer
 * written down as a table. A denied caller gets 401 or 403 and changes nothing; an allowed one
 * gets past the door (any other answer: it may still be refused for what it sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { newHallSecret } from '../../src/server/crypto';
import { isoAt } from '../../src/server/repos/util';
import { insertHall } from '../../src/server/repos/halls';
import { resetAdminPassword } from '../../src/server/services/admin';
import { createConsoleWriter } from '../../src/server/services/console-writer';
import { createEnrollment } from '../../src/server/services/enroll';
import { recordFigures } from '../support/reliability';
import { startTestServer, type TestServer } from '../support/server';

type Caller =
  | 'nobody'
  | 'phone'
  | 'evaluator'
  | 'duty kiosk'
  | 'inspection tablet'
  | 'revoked device'
  | "another hall's device"
  | 'administrator'
  | "another hall's administrator";

const CALLERS: Caller[] = [
  'nobody',
  'phone',
  'evaluator',
  'duty kiosk',
  'inspection tablet',
  'revoked device',
  "another hall's device",
  'administrator',
  "another hall's administrator",
];

type Rule = 'anyone' | 'devices' | 'pin readers' | 'photo readers' | 'administrators';

/** The rule of every endpoint; `METHOD /path-pattern`. */
const RULES: Record<string, Rule> = {
  'POST /api/v1/devices/enroll': 'anyone',
  'GET /api/v1/public/windows/:code': 'anyone',
  'POST /api/v1/public/ratings': 'anyone',
  'GET /api/v1/public/board': 'anyone',
  'POST /api/v1/public/progress': 'anyone',
  'POST /api/v1/public/callback-number': 'anyone',
  'GET /api/v1/public/schedule': 'anyone',
  'POST /api/v1/admin/login': 'anyone',
  'GET /api/v1/time': 'anyone',
  'GET /*': 'anyone',
  'POST /api/v1/sync/push': 'devices',
  'GET /api/v1/sync/pull': 'devices',
  'PUT /api/v1/blobs/:sha256': 'devices',
  'GET /api/v1/blobs/:sha256': 'photo readers',
  'GET /api/v1/roster/pins': 'pin readers',
  'GET /api/v1/admin/rating-flags': 'administrators',
  'POST /api/v1/admin/rating-flags/:id/review': 'administrators',
  'GET /api/v1/admin/rating-extras': 'administrators',
};
const ruleOf = (key: string): Rule | undefined =>
  RULES[key] ?? (key.split(' ')[1]!.startsWith('/api/v1/admin/') ? 'administrators' : undefined);

/** What each rule lets each caller do: 'allow', or the status of the refusal. */
function expected(rule: Rule, caller: Caller): 'allow' | 401 | 403 {
  if (rule === 'anyone') return 'allow';
  if (rule === 'administrators')
    return caller === 'administrator' || caller === "another hall's administrator" ? 'allow' : 401;
  if (rule === 'photo readers') {
    if (caller === 'inspection tablet' || caller === 'administrator') return 'allow';
    if (caller === "another hall's administrator") return 'allow'; // and finds nothing: see below
    return ['nobody', 'phone'].includes(caller) ? 401 : 403;
  }
  const device = ['evaluator', 'duty kiosk', 'inspection tablet', "another hall's device"];
  if (caller === 'revoked device') return 403;
  if (!device.includes(caller)) return 401;
  if (rule === 'pin readers' && caller === 'evaluator') return 403;
  return 'allow';
}

let server: TestServer;
const headers = new Map<Caller, Record<string, string>>();
const figures = {
  endpoints: 0,
  'endpoint × caller pairs checked': 0,
  'allowed as expected': 0,
  'denied as expected': 0,
  crashes: 0,
};

async function enroll(
  hallId: string,
  role: string,
  windowId?: string,
): Promise<{ token: string; deviceId: string }> {
  const { code } = await createEnrollment(
    server.db,
    hallId,
    (windowId ? { role, windowId } : { role }) as Parameters<typeof createEnrollment>[2],
    Date.now(),
  );
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/devices/enroll',
    payload: { code },
    remoteAddress: `10.7.0.${headers.size + 1}`,
  });
  if (res.statusCode !== 200) throw new Error(`enroll ${role}: ${res.body}`);
  return res.json();
}

async function login(username: string, password: string): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/admin/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login: ${res.body}`);
  return `hk_session=${res.cookies.find((c) => c.name === 'hk_session')!.value}`;
}

beforeAll(async () => {
  server = await startTestServer();
  const hall = server.seed.hall.id;
  const window = server.seed.windows[0]!.id;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  // Another hall in the same database, with its own administrator and evaluator.
  const other = newId();
  const now = Date.now();
  const otherPassword = await server.db.tx(async (tx) => {
    await insertHall(
      tx,
      { id: other, name: '另一大厅', nameEn: null, secret: newHallSecret() },
      isoAt(now),
    );
    await createConsoleWriter(tx, other, now);
    return resetAdminPassword(tx, other, 'other-admin', now);
  });

  const admin = await login(server.seed.admin.username, server.seed.admin.password);
  headers.set('nobody', {});
  headers.set('phone', { 'x-phone-id': newId() });
  headers.set('evaluator', bearer((await enroll(hall, 'evaluator', window)).token));
  headers.set('duty kiosk', bearer((await enroll(hall, 'duty_kiosk')).token));
  headers.set('inspection tablet', bearer((await enroll(hall, 'inspection_tablet')).token));
  const revoked = await enroll(hall, 'evaluator', window);
  const res = await server.app.inject({
    method: 'POST',
    url: `/api/v1/admin/devices/${revoked.deviceId}/revoke`,
    headers: { cookie: admin },
  });
  expect(res.statusCode).toBe(200);
  headers.set('revoked device', bearer(revoked.token));
  // A duty kiosk of the other hall: it reads its own hall's PINs, and nothing of this one.
  headers.set("another hall's device", bearer((await enroll(other, 'duty_kiosk')).token));
  headers.set('administrator', { cookie: admin });
  headers.set("another hall's administrator", {
    cookie: await login('other-admin', otherPassword),
  });
});
afterAll(async () => {
  await server.close();
  recordFigures('access-matrix', figures);
});

async function writes(): Promise<number> {
  const [row] = await server.db.query<{ n: string | number }>(
    `SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM rejected_events)
          + (SELECT count(*) FROM enrollments) + (SELECT count(*) FROM blobs)
          + (SELECT count(*) FROM devices WHERE revoked_at IS NOT NULL) AS n`,
  );
  return Number(row!.n);
}

describe('the access matrix', () => {
  it('has a rule for every endpoint', () => {
    const missing = server.app.routeTable
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .filter((key) => ruleOf(key) === undefined);
    expect(missing).toEqual([]);
  });

  it('lets each caller through only where the table says, and denied calls change nothing', async () => {
    const routes = server.app.routeTable.filter(
      (r) => r.method !== 'HEAD' && r.url !== '/api/v1/admin/logout',
    );
    const wrong: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const rule = ruleOf(key)!;
      figures.endpoints++;
      for (const caller of CALLERS) {
        const want = expected(rule, caller);
        const before = want === 'allow' ? 0 : await writes();
        const url = route.url
          .replace(':sha256', 'ab'.repeat(32))
          .replace(/:[A-Za-z0-9]+/g, () => newId())
          .replace('/*', '/admin');
        const res = await server.app.inject({
          method: route.method as 'POST',
          url,
          headers: { ...headers.get(caller), 'content-type': 'application/json' },
          ...(route.method === 'GET' ? {} : { payload: '{}' }),
        });
        figures['endpoint × caller pairs checked']++;
        if (res.statusCode >= 500) figures.crashes++;
        // Wrong credentials at the login are an answer of the login itself, not its door.
        const door =
          (res.statusCode === 401 || res.statusCode === 403) &&
          res.json<{ error?: string }>().error !== 'bad_credentials';
        const got = door ? (res.statusCode as 401 | 403) : 'allow';
        if (got !== want)
          wrong.push(
            `${caller} → ${key}: expected ${want}, got ${res.statusCode} ${res.body.slice(0, 120)}`,
          );
        else if (want === 'allow') figures['allowed as expected']++;
        else {
          figures['denied as expected']++;
          if ((await writes()) !== before)
            wrong.push(`${caller} → ${key}: denied, yet something was written`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(figures.crashes).toBe(0);
  });
});
