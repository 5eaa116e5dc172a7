import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import type { PublicRatingsResponse } from '../../src/sync/protocol';
import {
  MAX_PROGRESS_RATINGS,
  type PublicProgressResponse,
} from '../../src/sync/pipeline-protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollRole } from './duty-support';
import { pushOk, TestDevice } from './helpers';
import { assignEvent, moveEvent, statuses } from './pipeline-support';

describe.each(backends)("a citizen's 差评 followed from the phone on $name", ({ name }) => {
  let server: TestServer;
  let tablet: TestDevice;
  let phone: TestDevice;
  let stranger: TestDevice;
  const card = (n: number) => server.seed.windows[n]!;

  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    tablet = await enrollRole(server, 'inspection_tablet');
    phone = new TestDevice(newId(), server.seed.hall.id, null, null);
    stranger = new TestDevice(newId(), server.seed.hall.id, null, null);
  });
  afterAll(() => server.close());

  /** Send a phone's events with the card of window n, as the rating page does. */
  async function send(device: TestDevice, n: number, events: EventEnvelope[]) {
    const w = card(n);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/public/ratings',
      payload: { windowCode: w.code, sig: w.sig, events },
    });
    expect(res.statusCode, res.body).toBe(200);
    return statuses(res.json<PublicRatingsResponse>().results);
  }

  const progress = (body: object, remoteAddress = '127.0.0.1') =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/public/progress',
      payload: body,
      remoteAddress,
    });

  async function progressOf(ids: string[]): Promise<PublicProgressResponse> {
    const res = await progress({ phoneId: phone.deviceId, ratingIds: ids });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PublicProgressResponse>();
  }

  const followUp = (device: TestDevice, ratingId: string, phoneId = device.deviceId) =>
    device.append('rating.followedUp', {
      ratingId,
      phoneId,
      level: 'satisfied',
      comment: '问题已解决',
    });

  let poor: EventEnvelope;
  let good: EventEnvelope;
  let strangers: EventEnvelope;

  it("answers only the phone's own 差评, without staff or notes, as they move along", async () => {
    poor = phone.rating(server, {
      windowId: card(0).id,
      level: 'very_dissatisfied',
      reasons: ['attitude'],
      comment: '窗口人员态度差',
    });
    expect(await send(phone, 0, [poor])).toEqual(['stored']);
    good = phone.rating(server, { windowId: card(1).id, level: 'very_satisfied' });
    expect(await send(phone, 1, [good])).toEqual(['stored']);
    strangers = stranger.rating(server, {
      windowId: card(0).id,
      level: 'dissatisfied',
      comment: '等太久',
    });
    expect(await send(stranger, 0, [strangers])).toEqual(['stored']);

    const before = await progressOf([poor.id, good.id, strangers.id, newId()]);
    expect(before.items.map((i) => i.ratingId)).toEqual([poor.id]);
    const [item] = before.items;
    expect(item).toMatchObject({
      level: 'very_dissatisfied',
      window: { code: card(0).code, name: card(0).name },
      department: { name: server.seed.departments[0]!.name },
      progress: {
        accepted: false,
        rectification: 'pending',
        calledBack: false,
        canFollowUp: false,
        followUp: null,
      },
    });
    expect(Date.parse(before.serverTime)).not.toBeNaN();

    const dept = card(0).departmentId;
    await pushOk(server.app, tablet, [
      assignEvent(tablet, poor.id, dept),
      moveEvent(tablet, poor.id, 'assigned', 'rectifying', '已约谈窗口负责人'),
    ]);
    const during = await progressOf([poor.id]);
    expect(during.items[0]!.progress).toMatchObject({
      accepted: true,
      rectification: 'in_progress',
      canFollowUp: false,
    });
    const res = await progress({ phoneId: phone.deviceId, ratingIds: [poor.id] });
    expect(res.body).not.toContain('综合窗口负责人');
    expect(res.body).not.toContain('已约谈窗口负责人');
    expect(res.body).not.toContain(tablet.deviceId);

    // Another phone asking about this 差评 learns nothing.
    const other = await progress({ phoneId: stranger.deviceId, ratingIds: [poor.id] });
    expect(other.json<PublicProgressResponse>().items).toEqual([]);
  });

  it('takes a follow-up rating only after rectification, from the phone that rated, once', async () => {
    expect(await send(phone, 0, [followUp(phone, poor.id)])).toEqual(['not_followable']);

    await pushOk(server.app, tablet, [
      moveEvent(tablet, poor.id, 'rectifying', 'rectified', '已整改'),
    ]);
    const rectified = await progressOf([poor.id]);
    expect(rectified.items[0]!.progress).toMatchObject({
      rectification: 'done',
      canFollowUp: true,
    });

    expect(
      await send(stranger, 0, [
        followUp(stranger, poor.id),
        followUp(stranger, strangers.id, phone.deviceId),
        followUp(stranger, newId()),
      ]),
    ).toEqual(['not_your_rating', 'wrong_phone', 'unknown_rating']);

    const given = followUp(phone, poor.id);
    expect(await send(phone, 0, [given, followUp(phone, poor.id)])).toEqual([
      'stored',
      'already_followed_up',
    ]);
    // The same event again is answered as a duplicate; a new one is refused.
    expect(await send(phone, 0, [given])).toEqual(['duplicate']);
    expect(await send(phone, 0, [followUp(phone, poor.id)])).toEqual(['already_followed_up']);

    const after = await progressOf([poor.id]);
    expect(after.items[0]!.progress).toMatchObject({
      canFollowUp: false,
      followUp: { level: 'satisfied', comment: '问题已解决' },
    });
    const rows = await server.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE type = 'rating.followedUp'",
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('counts a follow-up rating from a phone whose clock runs behind the steps', async () => {
    const slow = new TestDevice(
      newId(),
      server.seed.hall.id,
      null,
      null,
      () => Date.now() - 10 * 60_000,
    );
    const rating = slow.rating(server, {
      windowId: card(2).id,
      level: 'dissatisfied',
      comment: '材料退回三次',
    });
    expect(await send(slow, 2, [rating])).toEqual(['stored']);
    const assigned = assignEvent(tablet, rating.id, card(2).departmentId);
    const rectified = moveEvent(tablet, rating.id, 'assigned', 'rectified', '已整改');
    await pushOk(server.app, tablet, [assigned, rectified]);
    const given = followUp(slow, rating.id);
    expect(given.hlc < rectified.hlc).toBe(true);
    expect(await send(slow, 2, [given])).toEqual(['stored']);

    const res = await progress({ phoneId: slow.deviceId, ratingIds: [rating.id] });
    expect(res.json<PublicProgressResponse>().items[0]!.progress.followUp).toMatchObject({
      level: 'satisfied',
    });
    const [row] = await server.db.query<{ hlc: string; original: string }>(
      'SELECT hlc, hlc_original AS original FROM events WHERE id = $1',
      [given.id],
    );
    expect(row!.original).toBe(given.hlc);
    expect(row!.hlc > rectified.hlc).toBe(true);
  });

  it('answers 400 with a reason code to a body that is not a progress request', async () => {
    const tooMany = await progress({
      phoneId: phone.deviceId,
      ratingIds: Array.from({ length: MAX_PROGRESS_RATINGS + 1 }, () => newId()),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error).toBe('too_many_ratings');
    for (const body of [
      {},
      { phoneId: 'not-an-id', ratingIds: [] },
      { phoneId: phone.deviceId, ratingIds: ['x'] },
      // A UUIDv4 is not one of ours.
      { phoneId: phone.deviceId, ratingIds: ['4b1b7f9e-8a0a-4c1e-9f3e-0d6a3b2c1d0e'] },
    ]) {
      const res = await progress(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toBe('invalid_progress_request');
    }
    expect((await progressOf([])).items).toEqual([]);
  });

  it('limits how often one address asks', async () => {
    const body = { phoneId: phone.deviceId, ratingIds: [] };
    const codes: number[] = [];
    for (let i = 0; i < 61; i++) codes.push((await progress(body, '127.0.0.7')).statusCode);
    expect(codes.slice(0, 60).every((c) => c === 200)).toBe(true);
    expect(codes[60]).toBe(429);
    expect((await progress(body, '127.0.0.8')).statusCode).toBe(200);
  });
});
