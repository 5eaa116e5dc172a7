/**
 * The real device code signs what it sends with its token: it enrolls with a fresh key, keeps it
 * across reloads, forgets it with its credentials, and the server takes nothing from its token on
 * a machine without the key. A copy of one of its requests, refused as already received, is a
 * harmless refusal: the device keeps its enrollment and its records and delivers them next round.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { enrollDevice, forgetDevice, openDevice } from '../../src/app/device';
import type { DeviceCredentials } from '../../src/app/device-api';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import type { EnrollResponse } from '../../src/sync/protocol';
import { SIGNATURE_HEADERS, exportPublicKey, generateDeviceKey } from '../../src/sync/signing';
import type { FetchLike } from '../../src/sync/transport';
import { evaluatorFixture } from './evaluator-fixture';
import { deviceOptions, ratingFor } from './helpers';

const { server, running, evaluator, ratingsFrom } = evaluatorFixture();

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
  error: string | null;
}

/**
 * A network that records each request and its answer; `twice` makes it deliver a request twice
 * (the device gets the second answer), as a flaky link or a proxy's retry can.
 */
interface Network {
  fetch: FetchLike;
  sent: Sent[];
  /** Deliver requests to this path twice. */
  twice: (path: string) => boolean;
}

function recordingFetch(): Network {
  const net: Network = {
    sent: [],
    twice: () => false,
    fetch: (async (input: string, init?: RequestInit) => {
      const url = new URL(input);
      const headers = Object.fromEntries(
        Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      );
      let response = await fetch(input, init);
      if (net.twice(url.pathname)) {
        await response.body?.cancel();
        response = await fetch(input, init);
      }
      const body: unknown = await response
        .clone()
        .json()
        .catch(() => null);
      net.sent.push({
        method: init?.method ?? 'GET',
        path: url.pathname + url.search,
        headers,
        status: response.status,
        error: (body as { error?: string } | null)?.error ?? null,
      });
      return response;
    }) as FetchLike,
  };
  return net;
}

async function storedPublicKey(deviceId: string): Promise<string | null> {
  const rows = await server().db.query<{ key: string | null }>(
    'SELECT public_key AS key FROM devices WHERE id = $1',
    [deviceId],
  );
  return rows[0]?.key ?? null;
}

describe('a device signing its requests', () => {
  it('enrolls with a key the server keeps, and signs every request it makes with its token', async () => {
    const net = recordingFetch();
    const { device } = await evaluator({ fetch: net.fetch });
    const { key, deviceId } = device.credentials;
    expect(key?.privateKey.extractable).toBe(false);
    expect(await storedPublicKey(deviceId)).toBe(await exportPublicKey(key!.publicKey));

    const window = server().seed.windows[0]!;
    await device.recordRating(ratingFor(window));
    await device.recordRating(ratingFor(window, { level: 'satisfied' }));
    const round = await device.syncNow();
    expect(round).toMatchObject({ ok: true, pushed: 2 });
    expect(await ratingsFrom(deviceId)).toBe(2);

    const withToken = net.sent.filter((s) => s.headers.authorization);
    expect(withToken.map((s) => s.path)).toEqual(
      expect.arrayContaining([
        '/api/v1/sync/push',
        expect.stringMatching(/^\/api\/v1\/sync\/pull/),
      ]),
    );
    for (const s of withToken) {
      expect(s.headers[SIGNATURE_HEADERS.signature], s.path).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(s.status, s.path).toBeLessThan(300);
    }
    // Each request has its own nonce.
    const nonces = new Set(withToken.map((s) => s.headers[SIGNATURE_HEADERS.nonce]));
    expect(nonces.size).toBe(withToken.length);
  });

  it('keeps its key across a reload and forgets it with its credentials', async () => {
    const { device, options } = await evaluator();
    const publicKey = await exportPublicKey(device.credentials.key!.publicKey);
    device.stop();

    const reloaded = (await openDevice(options))!;
    running.push(reloaded);
    expect(await exportPublicKey(reloaded.credentials.key!.publicKey)).toBe(publicKey);
    await reloaded.recordRating(ratingFor(server().seed.windows[0]!));
    expect(await reloaded.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    reloaded.stop();

    await forgetDevice(options);
    expect(await options.settings!.loadCredentials()).toBeUndefined();
    expect(await openDevice(options)).toBeNull();
  });

  it('asks to be enrolled again when its stored key is damaged', async () => {
    const { device, options } = await evaluator();
    device.stop();
    const credentials = (await options.settings!.loadCredentials())!;
    // What a storage that cannot keep keys hands back: plain objects.
    await options.settings!.saveCredentials({
      ...credentials,
      key: { privateKey: {}, publicKey: {} } as unknown as CryptoKeyPair,
    });
    expect(await openDevice(options)).toBeNull();
  });

  it('its token copied to another machine, with that machine’s own key, delivers nothing', async () => {
    const { device } = await evaluator();
    const window = server().seed.windows[0]!;
    // Another browser holding the copied credentials, but not the key (it cannot be exported).
    const copy = deviceOptions(server()).options;
    const stolen: DeviceCredentials = { ...device.credentials, key: await generateDeviceKey() };
    await copy.settings!.saveCredentials(stolen);
    const thief = (await openDevice(copy))!;
    running.push(thief);
    await thief.recordRating(ratingFor(window, { level: 'satisfied' }));
    const round = await thief.syncNow();
    expect(round).toMatchObject({ ok: false, error: 'unauthorized', pushed: 0 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(0);

    // The real device is untouched by it.
    await device.recordRating(ratingFor(window));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(1);
  });

  it('takes a copy of its push refused as already received for a passing failure, and loses nothing', async () => {
    const net = recordingFetch();
    const { device, options } = await evaluator({ fetch: net.fetch });
    const window = server().seed.windows[0]!;
    for (let i = 0; i < 3; i++) await device.recordRating(ratingFor(window, { ticket: `A${i}` }));

    net.twice = (path) => path === '/api/v1/sync/push';
    const refused = await device.syncNow();
    expect(net.sent.filter((s) => s.error === 'replayed_request')).toHaveLength(1);
    expect(refused).toMatchObject({ ok: false, error: 'bad_response' });
    // The first copy was stored; the device does not know yet, and keeps its enrollment.
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(3);
    expect(await options.settings!.loadCredentials()).toMatchObject({
      deviceId: device.credentials.deviceId,
    });

    net.twice = () => false;
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 3 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(3);
    expect(device.status.get().pending).toBe(0);
  });

  it('signs at the server’s time as learnt at enrollment, with its own clock days off', async () => {
    const skew = -3 * 24 * 3600_000;
    const { device } = await evaluator({ now: () => Date.now() + skew });
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(1);
  });

  it('learns the server’s time again when its clock jumps days after enrollment, and syncs', async () => {
    let jump = 0;
    const net = recordingFetch();
    const { device } = await evaluator({ now: () => Date.now() + jump, fetch: net.fetch });
    jump = -5 * 24 * 3600_000; // The battery ran flat; the clock restarted days back.
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(1);
    // Refused once for its time, then signed at the server's.
    expect(net.sent.filter((s) => s.error === 'bad_signature')).toHaveLength(1);
    expect(device.store.clock.serverNow()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('enrolls on its token alone where the page has no WebCrypto (no secure context)', async () => {
    const { options } = deviceOptions(server());
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', {
      getRandomValues: real.getRandomValues.bind(real),
      randomUUID: real.randomUUID.bind(real),
    });
    let credentials: DeviceCredentials;
    try {
      credentials = await enrollDevice(await server().enroll('evaluator'), undefined, options);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(credentials.key).toBeUndefined();
    expect(await storedPublicKey(credentials.deviceId)).toBeNull();
    const device = (await openDevice(options))!;
    running.push(device);
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
  });

  it('keeps working on its token alone when it was enrolled before signatures', async () => {
    const res = await server().app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: { code: await server().enroll('evaluator') },
    });
    const answer = res.json<EnrollResponse>();
    const { options } = deviceOptions(server(), { settings: new DeviceSettings(memoryStore()) });
    await options.settings!.saveCredentials({
      deviceId: answer.deviceId,
      token: answer.token,
      hallId: answer.hallId,
      role: answer.role,
      windowId: answer.windowId,
      enrolledAt: new Date().toISOString(),
    });
    const device = (await openDevice(options))!;
    running.push(device);
    expect(device.credentials.key).toBeUndefined();
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(await storedPublicKey(answer.deviceId)).toBeNull();

    // Enrolled again on this browser, it has a key, and its token alone no longer does.
    await enrollDevice(await server().enroll('evaluator'), undefined, options);
    const again = (await options.settings!.loadCredentials())!;
    expect(await storedPublicKey(again.deviceId)).toBe(await exportPublicKey(again.key!.publicKey));
    const bare = await fetch(`${server().url}/api/v1/sync/pull?after=0`, {
      headers: { authorization: `Bearer ${again.token}` },
    });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ error: 'bad_signature' });
  });
});
