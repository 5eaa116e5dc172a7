import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WriteError } from '../../src/app/device-api';
import { PublicWindowError, loadPublicWindow, openPhone } from '../../src/app/phone';
import {} from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { API, type PublicWindowResponse } from '../../src/sync/protocol';
import { startTestServer, type TestServer } from '../support/server';
import { count, ratingFor, tappedFetch } from './helpers';
import { phoneFixtures } from './phone-fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
const { card, phoneProfile, phoneAt, running } = phoneFixtures(() => server);

/** The same signature with its first character changed: a forged card. */
const forge = (sig: string) => sig.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A'));

describe('loadPublicWindow', () => {
  it('loads the window a signed card names', async () => {
    const c = card('C02');
    const window = await loadPublicWindow(c.code, c.sig, phoneProfile());
    expect(window.window).toMatchObject({ id: c.id, code: 'C02', name: c.name });
    expect(window.department.id).toBe(c.departmentId);
    expect(window.hallId).toBe(server.seed.hall.id);
    expect(window.settings.phoneRatingIntervalMinutes).toBe(10);
  });

  it('refuses a forged, missing or unknown card', async () => {
    const c = card('A02');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'loaded',
        (e: PublicWindowError) => e.code,
      );
    expect(await code(loadPublicWindow(c.code, forge(c.sig), phoneProfile()))).toBe(
      'bad_signature',
    );
    expect(await code(loadPublicWindow(c.code, '', phoneProfile()))).toBe('bad_signature');
    expect(await code(loadPublicWindow('Z99', c.sig, phoneProfile()))).toBe('unknown_window');
  });

  it('works offline from the copy cached on an earlier visit', async () => {
    const tap = tappedFetch();
    const profile = phoneProfile({ fetch: tap.fetch });
    const c = card('D01');
    const online = await loadPublicWindow(c.code, c.sig, profile);
    tap.hook = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await loadPublicWindow(c.code, c.sig, profile)).toEqual(online);
    // …but only for the same card link, and only for cards seen before.
    const forged = await loadPublicWindow(c.code, forge(c.sig), profile).catch((e) => e);
    expect((forged as PublicWindowError).code).toBe('offline_uncached');
    const other = card('D02');
    const unseen = await loadPublicWindow(other.code, other.sig, profile).catch((e) => e);
    expect((unseen as PublicWindowError).code).toBe('offline_uncached');
  });

  it('does not even ask the network when the browser says it is offline', async () => {
    const tap = tappedFetch();
    const profile = phoneProfile({ fetch: tap.fetch });
    const c = card('E02');
    const online = await loadPublicWindow(c.code, c.sig, profile);
    vi.stubGlobal('navigator', { onLine: false });
    try {
      expect(await loadPublicWindow(c.code, c.sig, profile)).toEqual(online);
      const other = card('E03');
      const unseen = await loadPublicWindow(other.code, other.sig, profile).catch((e) => e);
      expect((unseen as PublicWindowError).code).toBe('offline_uncached');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(tap.calls).toHaveLength(1);
  });

  it('gives up on a slow network quickly and uses the cache', async () => {
    const profile = phoneProfile({ timeoutMs: 100 });
    const c = card('D03');
    await loadPublicWindow(c.code, c.sig, profile);
    const started = Date.now();
    const cached = await loadPublicWindow(c.code, c.sig, { ...profile, fetch: hangingFetch });
    expect(cached.window.code).toBe('D03');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

/** A fetch that never answers until aborted. */
const hangingFetch = (_input: string, init?: RequestInit) =>
  new Promise<Response>((_, reject) => {
    init?.signal?.addEventListener('abort', () =>
      reject(new DOMException('aborted', 'AbortError')),
    );
  });

describe('a phone rating a window', () => {
  it('saves locally, then delivers through the public endpoint', async () => {
    const { phone, outcomes, card: c } = await phoneAt('A01', phoneProfile());
    const event = await phone.recordRating(
      ratingFor(c, { level: 'dissatisfied', reasons: ['waited_too_long'], ticket: 'Q-0001' }),
    );
    expect(event.payload).toMatchObject({
      channel: 'qr',
      phoneId: phone.phoneId,
      ticket: 'Q-0001',
    });
    expect(event.deviceId).toBe(phone.phoneId);
    expect(phone.status.get().pending).toBe(1);

    expect((await phone.syncNow()).ok).toBe(true);
    expect(outcomes).toEqual([{ id: event.id, outcome: 'stored' }]);
    expect(phone.status.get()).toMatchObject({ pending: 0, rejected: 0 });
    const [row] = await server.db.query<{ channel: string; phone_id: string; level: string }>(
      'SELECT channel, phone_id, level FROM ratings WHERE event_id = $1',
      [event.id],
    );
    expect(row).toEqual({ channel: 'qr', phone_id: phone.phoneId, level: 'dissatisfied' });
  });

  it('refuses locally the same ticket twice, and the same window again too soon', async () => {
    const { phone, card: c } = await phoneAt('A03', phoneProfile());
    await phone.recordRating(ratingFor(c, { ticket: 'Q-0100' }));
    const again = await phone.recordRating(ratingFor(c, { ticket: 'Q-0100' })).catch((e) => e);
    expect(again).toBeInstanceOf(WriteError);
    // Both rules hold here; a rating with a new ticket shows the interval rule alone.
    const soon = await phone.recordRating(ratingFor(c, { ticket: 'Q-0101' })).catch((e) => e);
    expect((soon as WriteError).code).toBe('too_soon');
    expect(phone.status.get().pending).toBe(1);
  });

  it('reports a ticket another phone already rated as refused by the server', async () => {
    const first = await phoneAt('A04', phoneProfile());
    await first.phone.recordRating(ratingFor(first.card, { ticket: 'Q-0200' }));
    await first.phone.syncNow();

    const second = await phoneAt('A04', phoneProfile());
    const event = await second.phone.recordRating(ratingFor(second.card, { ticket: 'Q-0200' }));
    const result = await second.phone.syncNow();
    expect(result.ok).toBe(true);
    expect(second.outcomes).toEqual([
      { id: event.id, outcome: 'refused', reason: 'duplicate_ticket' },
    ]);
    expect(second.phone.status.get()).toMatchObject({ pending: 0, rejected: 1 });
    const [refused] = await second.phone.store.log.rejected();
    expect(refused!.reason).toBe('duplicate_ticket');
    expect(
      await count(server, 'SELECT count(*) AS n FROM ratings WHERE ticket = $1', ['Q-0200']),
    ).toBe(1);
  });

  it('is refused by the server as too soon when the phone lost its storage in between', async () => {
    const settings = new DeviceSettings(memoryStore());
    const before = await phoneAt('A05', phoneProfile({ settings }));
    await before.phone.recordRating(ratingFor(before.card));
    await before.phone.syncNow();
    // Same phone (same id), storage wiped: the local rule cannot know, the server's does.
    const after = await phoneAt('A05', phoneProfile({ settings }));
    expect(after.phone.phoneId).toBe(before.phone.phoneId);
    const event = await after.phone.recordRating(ratingFor(after.card));
    await after.phone.syncNow();
    expect(after.outcomes).toEqual([{ id: event.id, outcome: 'refused', reason: 'too_soon' }]);
  });

  it('pushes each card’s ratings under its own card, and resends safely', async () => {
    const tap = tappedFetch();
    const profile = phoneProfile({ fetch: tap.fetch });
    const a = await phoneAt('A06', profile);
    const eA = await a.phone.recordRating(ratingFor(a.card));
    a.phone.stop();
    running.splice(running.indexOf(a.phone), 1);
    const b = await phoneAt('B01', profile);
    const eB = await b.phone.recordRating(ratingFor(b.card));

    tap.hook = async (path, real) => {
      if (path !== `${API}/public/ratings`) return undefined;
      tap.hook = null;
      await real();
      throw new TypeError('fetch failed');
    };
    expect((await b.phone.syncNow()).error).toBe('offline');
    expect((await b.phone.syncNow()).ok).toBe(true);
    expect(b.phone.status.get().pending).toBe(0);
    expect(tap.count(`${API}/public/ratings`)).toBe(3);
    const rows = await server.db.query<{ event_id: string; window_id: string }>(
      'SELECT event_id, window_id FROM ratings WHERE event_id = ANY($1) ORDER BY at',
      [[eA.id, eB.id]],
    );
    expect(rows.map((r) => r.window_id).sort()).toEqual([a.card.id, b.card.id].sort());
    // The session reports every event it delivered, whichever card it was made from.
    expect(b.outcomes.map((o) => o.id).sort()).toEqual([eA.id, eB.id].sort());
    expect(b.outcomes.every((o) => o.outcome === 'stored')).toBe(true);
  });

  it('keeps working with no network and delivers later', async () => {
    const tap = tappedFetch();
    const profile = phoneProfile({ fetch: tap.fetch });
    const c = card('B02');
    const window: PublicWindowResponse = await loadPublicWindow(c.code, c.sig, profile);
    let offline = true;
    tap.hook = async () => {
      if (offline) throw new TypeError('fetch failed');
      return undefined;
    };
    const phone = await openPhone(
      c.code,
      c.sig,
      await loadPublicWindow(c.code, c.sig, profile),
      profile,
    );
    running.push(phone);
    expect(window.window.code).toBe('B02');
    const event = await phone.recordRating(ratingFor(c, { ticket: 'Q-0300' }));
    expect((await phone.syncNow()).error).toBe('offline');
    expect(phone.status.get()).toMatchObject({ pending: 1, lastError: 'offline' });
    offline = false;
    expect((await phone.syncNow()).ok).toBe(true);
    expect(
      await count(server, 'SELECT count(*) AS n FROM ratings WHERE event_id = $1', [event.id]),
    ).toBe(1);
  });
});
