import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpRefusal, ProgressError } from '../../src/app/phone';
import type { PayloadOf, ProblemStepType } from '../../src/domain/events';
import { newId, type Id } from '../../src/domain/ids';
import { writeConsoleEvents } from '../../src/server/services/console-writer';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import type { PublicProgressResponse } from '../../src/sync/pipeline-protocol';
import { API, type PublicRatingsResponse } from '../../src/sync/protocol';
import { TestDevice } from '../server/helpers';
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
const { phoneProfile, phoneAt, running } = phoneFixtures(() => server);

/** A step on a problem written by the hall's console, through the same ingest as any device. */
async function consoleStep<T extends ProblemStepType>(type: T, payload: PayloadOf<T>) {
  await server.db.tx((tx) =>
    writeConsoleEvents(tx, server.seed.hall.id, [{ type, payload }], Date.now()),
  );
}

/** Accept, assign and put right a 差评, then call the citizen back, as the console does. */
async function handle(problemId: Id, departmentId: Id) {
  await consoleStep('problem.prechecked', { problemId, from: 'found', verdict: 'valid', note: '' });
  await consoleStep('problem.assigned', {
    problemId,
    from: 'found',
    departmentId,
    assignee: '综合窗口负责人',
    note: '请核实并整改',
  });
  await consoleStep('problem.statusChanged', {
    problemId,
    from: 'assigned',
    to: 'rectified',
    note: '窗口增加了材料清单',
    photos: [],
  });
  await consoleStep('problem.calledBack', {
    problemId,
    reached: true,
    satisfied: true,
    note: '',
  });
}

async function progressOf(phoneId: Id, ratingIds: Id[]): Promise<PublicProgressResponse> {
  const res = await server.app.inject({
    method: 'POST',
    url: `${API}/public/progress`,
    payload: { phoneId, ratingIds },
  });
  expect(res.statusCode).toBe(200);
  return res.json<PublicProgressResponse>();
}

describe('a phone following its 差评', () => {
  it('sees it accepted, put right and called back, then follows it up once', async () => {
    const profile = phoneProfile();
    // A good rating at another window first: it is no 差评, so nothing to ask about.
    const before = await phoneAt('D01', profile);
    const good = await before.phone.recordRating(ratingFor(before.card, { ticket: 'P-0001' }));
    await before.phone.syncNow();
    expect(await before.phone.progress()).toEqual([]);
    before.phone.stop();
    running.splice(running.indexOf(before.phone), 1);

    const { phone, outcomes, card: c } = await phoneAt('C01', profile);

    const rating = await phone.recordRating(
      ratingFor(c, {
        level: 'very_dissatisfied',
        reasons: ['had_to_come_back'],
        comment: '材料清单和窗口要求不一致',
        ticket: 'P-0002',
      }),
    );
    // Saved but not yet stored by the server: not asked about.
    expect(await phone.progress()).toEqual([]);
    expect((await phone.syncNow()).ok).toBe(true);
    expect(outcomes).toEqual([{ id: rating.id, outcome: 'stored' }]);

    const [found] = await phone.progress();
    expect(found).toMatchObject({
      ratingId: rating.id,
      level: 'very_dissatisfied',
      window: { code: 'C01', name: c.name },
      progress: {
        accepted: false,
        underReview: false,
        rectification: 'pending',
        calledBack: false,
        setAside: false,
        canFollowUp: false,
        followUp: null,
      },
    });
    expect((await phone.progress()).map((i) => i.ratingId)).not.toContain(good.id);

    // A follow-up before it is put right is refused by the server, and said so.
    await phone.followUp(rating.id, 'dissatisfied', '');
    await phone.syncNow();
    expect(outcomes.at(-1)).toMatchObject({ outcome: 'refused', reason: 'not_followable' });

    await handle(rating.id, c.departmentId);
    const [handled] = await phone.progress();
    expect(handled!.progress).toMatchObject({
      accepted: true,
      rectification: 'done',
      calledBack: true,
      canFollowUp: true,
      followUp: null,
    });

    await phone.followUp(rating.id, 'satisfied', '  现在一次就办好了  ');
    // Saved here: shown at once, and not offered again while it waits to sync.
    const [waiting] = await phone.progress();
    expect(waiting!.progress).toMatchObject({
      canFollowUp: false,
      followUp: { level: 'satisfied', comment: '现在一次就办好了' },
    });
    expect(phone.status.get().pending).toBe(1);
    const again = await phone.followUp(rating.id, 'very_satisfied', '').catch((e) => e);
    expect((again as FollowUpRefusal).code).toBe('already_followed_up');

    expect((await phone.syncNow()).ok).toBe(true);
    expect(outcomes.at(-1)).toMatchObject({ outcome: 'stored' });
    expect(phone.status.get()).toMatchObject({ pending: 0, rejected: 1 });
    expect(
      await count(
        server,
        `SELECT count(*) AS n FROM events WHERE type = 'rating.followedUp' AND payload ->> 'ratingId' = $1`,
        [rating.id],
      ),
    ).toBe(1);
    const [followed] = await phone.progress();
    expect(followed!.progress).toMatchObject({
      canFollowUp: false,
      followUp: { level: 'satisfied', comment: '现在一次就办好了' },
    });
  });

  it('has a second follow-up refused by the server, sent after the phone lost its storage', async () => {
    const settings = new DeviceSettings(memoryStore());
    const { phone, card: c } = await phoneAt('C02', phoneProfile({ settings }));
    const rating = await phone.recordRating(
      ratingFor(c, { level: 'dissatisfied', reasons: ['waited_too_long'], ticket: 'P-0101' }),
    );
    await phone.syncNow();
    await handle(rating.id, c.departmentId);
    await phone.followUp(rating.id, 'basically_satisfied', '');
    await phone.syncNow();

    // The same phone id, its storage wiped: its log starts again, the server still knows.
    const wiped = new TestDevice(phone.phoneId, server.seed.hall.id, null, null);
    const second = wiped.append('rating.followedUp', {
      ratingId: rating.id,
      phoneId: phone.phoneId,
      level: 'very_satisfied',
      comment: '',
    });
    const res = await server.app.inject({
      method: 'POST',
      url: `${API}/public/ratings`,
      payload: { windowCode: c.code, sig: c.sig, events: [second] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<PublicRatingsResponse>().results).toEqual([
      expect.objectContaining({ id: second.id, status: 'rejected', reason: 'already_followed_up' }),
    ]);
    const [item] = (await progressOf(phone.phoneId, [rating.id])).items;
    expect(item!.progress.followUp?.level).toBe('basically_satisfied');
  });

  it('answers another phone nothing about it', async () => {
    const { phone, card: c } = await phoneAt('C03', phoneProfile());
    const rating = await phone.recordRating(
      ratingFor(c, { level: 'dissatisfied', reasons: ['attitude'], ticket: 'P-0201' }),
    );
    await phone.syncNow();
    expect((await progressOf(phone.phoneId, [rating.id])).items).toHaveLength(1);
    expect((await progressOf(newId(), [rating.id])).items).toEqual([]);

    // Another phone's own page asks nothing: it gave no 差评.
    const tap = tappedFetch();
    const other = await phoneAt('C03', phoneProfile({ fetch: tap.fetch }));
    expect(await other.phone.progress()).toEqual([]);
    expect(tap.count(`${API}/public/progress`)).toBe(0);
  });

  it('says offline when the server cannot be reached', async () => {
    const tap = tappedFetch();
    const { phone, card: c } = await phoneAt('C04', phoneProfile({ fetch: tap.fetch }));
    await phone.recordRating(
      ratingFor(c, { level: 'very_dissatisfied', reasons: ['system_down'], ticket: 'P-0301' }),
    );
    await phone.syncNow();
    tap.hook = async () => {
      throw new TypeError('fetch failed');
    };
    const error = await phone.progress().catch((e) => e);
    expect(error).toBeInstanceOf(ProgressError);
    expect((error as ProgressError).code).toBe('offline');
  });
});
