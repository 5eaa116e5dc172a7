/**
 * A citizen's call-back number from the phone: kept on the phone (never in the rating's event)
 * until the server has the rating, sent on its own, forgotten once the server has it — also when
 * it was given offline and the page was closed before the network came back.
 */
import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCallbackKey, readNumber } from '../../src/server/services/callback-numbers';
import { API } from '../../src/sync/protocol';
import { clearTextCopies } from '../support/clear-text';
import { startTestServer, type TestServer } from '../support/server';
import { ratingFor, tappedFetch } from './helpers';
import { phoneFixtures } from './phone-fixtures';

let server: TestServer;
beforeAll(async () => {
  process.env['CALLBACK_KEY'] = randomBytes(32).toString('base64');
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  delete process.env['CALLBACK_KEY'];
});
const { card, phoneProfile, phoneAt, running } = phoneFixtures(() => server);
const offline = async () => {
  throw new TypeError('fetch failed');
};

async function stored(ratingId: string) {
  const key = loadCallbackKey(process.env['CALLBACK_KEY'], 'unused');
  return readNumber(server.db, key, server.seed.hall.id, ratingId);
}

describe('call-back numbers from the phone', () => {
  it('keeps a number given offline across a closed page, and sends it once the rating is in', async () => {
    const tap = tappedFetch();
    const profile = phoneProfile({ fetch: tap.fetch });
    const first = await phoneAt('B01', profile);
    tap.hook = offline;
    const rating = await first.phone.recordRating(
      ratingFor(card('B01'), { level: 'very_dissatisfied', reasons: ['attitude'] }),
    );
    await first.phone.leaveCallbackNumber(rating.id, '139-0000-1234');
    await first.phone.syncNow();
    await first.phone.sendCallbackNumbers();
    expect(await first.phone.pendingCallbackNumbers()).toBe(1);
    expect(JSON.stringify(rating)).not.toContain('13900001234');
    first.phone.stop();
    running.splice(running.indexOf(first.phone), 1);

    // The citizen comes back later with a network: the page opens, the rating syncs, the number
    // follows it, and the phone forgets it.
    tap.hook = null;
    const again = await phoneAt('B01', profile);
    await again.phone.syncNow();
    await again.phone.sendCallbackNumbers();
    expect(again.outcomes).toEqual([{ id: rating.id, outcome: 'stored' }]);
    expect(await stored(rating.id)).toEqual({ state: 'kept', number: '13900001234' });
    expect(await again.phone.pendingCallbackNumbers()).toBe(0);
    expect(tap.count(`${API}/public/callback-number`)).toBe(1);
    expect(await clearTextCopies(server.db, '13900001234')).toEqual([]);
  });

  it('does not send the number before the rating, and retries after a busy server', async () => {
    const tap = tappedFetch();
    const { phone } = await phoneAt('B02', phoneProfile({ fetch: tap.fetch }));
    const rating = await phone.recordRating(
      ratingFor(card('B02'), { level: 'dissatisfied', reasons: ['waited_too_long'] }),
    );
    await phone.leaveCallbackNumber(rating.id, '13700005678');
    await phone.sendCallbackNumbers();
    expect(tap.count(`${API}/public/callback-number`)).toBe(0); // the rating is still waiting

    let busy = true;
    tap.hook = async (path) =>
      busy && path === `${API}/public/callback-number`
        ? new Response(JSON.stringify({ error: 'busy', message: 'busy' }), {
            status: 503,
            headers: { 'content-type': 'application/json', 'retry-after': '1' },
          })
        : undefined;
    await phone.syncNow();
    await phone.sendCallbackNumbers();
    expect(await phone.pendingCallbackNumbers()).toBe(1);
    expect((await stored(rating.id)).state).toBe('none');
    busy = false;
    await phone.sendCallbackNumbers();
    expect(await phone.pendingCallbackNumbers()).toBe(0);
    expect(await stored(rating.id)).toEqual({ state: 'kept', number: '13700005678' });
  });

  it('forgets a number the server will never take, and refuses a malformed one outright', async () => {
    const { phone } = await phoneAt('B03', phoneProfile());
    const good = await phone.recordRating(ratingFor(card('B03'), { level: 'satisfied' }));
    await phone.syncNow();
    await phone.leaveCallbackNumber(good.id, '13600001111'); // not a 差评: refused with 404
    await phone.sendCallbackNumbers();
    expect(await phone.pendingCallbackNumbers()).toBe(0);
    expect((await stored(good.id)).state).toBe('none');
    await expect(phone.leaveCallbackNumber(good.id, '0755-1234567')).rejects.toThrow(RangeError);
    expect(await phone.pendingCallbackNumbers()).toBe(0);
  });
});
