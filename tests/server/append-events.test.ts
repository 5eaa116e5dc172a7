/**
 * appendEvents sends what an event's envelope holds once, and a rating that is its event's
 * payload as a mark on the event: whatever travels which way, the stored rows are the columns
 * given, never the envelope's or the payload's where those differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/domain/device';
import type { EventEnvelope, RatingSubmitted } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { appendEvents, type StoredEvent } from '../../src/server/repos/events';
import type { RatingRow } from '../../src/server/repos/ratings';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { TestDevice } from './helpers';

type Appended = Omit<StoredEvent, 'hallSeq' | 'hallId'>;

const RECEIVED = '2026-03-02T08:00:00.000Z';

/** The columns as the ingest gives them for an event stored as sent. */
function asSent(e: EventEnvelope): Appended {
  return {
    id: e.id,
    deviceId: e.deviceId,
    deviceSeq: e.deviceSeq,
    type: e.type,
    actorId: e.actorId ?? null,
    at: e.at,
    hlc: e.hlc,
    hlcOriginal: e.hlc,
    prevHash: e.prevHash,
    hash: eventHash(e),
    payload: e.payload,
    envelope: e,
    receivedAt: RECEIVED,
  };
}

function ratingOf(e: Appended, hallId: string, addressHash: string | null = null): RatingRow {
  const p = e.payload as RatingSubmitted;
  return {
    eventId: e.id,
    hallId,
    deviceId: e.deviceId,
    windowId: p.windowId,
    departmentId: p.departmentId,
    level: p.level,
    channel: p.channel,
    ticket: p.ticket,
    phoneId: p.phoneId,
    dutySessionId: p.dutySessionId,
    reasons: p.reasons,
    comment: p.comment,
    at: e.at,
    receivedAt: e.receivedAt,
    addressHash,
  };
}

describe.each(backends)('appending events, on $name', ({ name }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  async function stored(ids: string[]) {
    const events = await server.db.query<
      Appended & { hallSeq: number; at: Date; receivedAt: Date }
    >(
      `SELECT id, hall_seq AS "hallSeq", device_id AS "deviceId", device_seq AS "deviceSeq", type,
         actor_id AS "actorId", at, hlc, hlc_original AS "hlcOriginal", prev_hash AS "prevHash",
         hash, payload, envelope, received_at AS "receivedAt"
       FROM events WHERE id = ANY($1::text[]) ORDER BY hall_seq`,
      [ids],
    );
    const ratings = await server.db.query<RatingRow & { at: Date; receivedAt: Date }>(
      `SELECT event_id AS "eventId", hall_id AS "hallId", device_id AS "deviceId",
         window_id AS "windowId", department_id AS "departmentId", level, channel, ticket,
         phone_id AS "phoneId", duty_session_id AS "dutySessionId", reasons, comment, at,
         received_at AS "receivedAt", address_hash AS "addressHash"
       FROM ratings WHERE event_id = ANY($1::text[]) ORDER BY event_id`,
      [ids],
    );
    return {
      events: events.map(({ hallSeq, ...e }) => ({
        hallSeq,
        event: { ...e, at: e.at.toISOString(), receivedAt: e.receivedAt.toISOString() },
      })),
      ratings: ratings.map((r) => ({
        ...r,
        at: r.at.toISOString(),
        receivedAt: r.receivedAt.toISOString(),
      })),
    };
  }

  it('stores the columns given, whether the envelope holds them or not', async () => {
    const hallId = server.seed.hall.id;
    const window = server.seed.windows[0]!;
    const device = new TestDevice(newId(), hallId, 'token', window.id);
    const rating = (fields: Partial<RatingSubmitted> = {}) =>
      device.append('rating.submitted', {
        windowId: window.id,
        departmentId: window.departmentId,
        level: 'dissatisfied',
        reasons: ['attitude', 'waited_too_long'],
        comment: '引号 "quoted" \\ 😢 \u2028',
        ticket: 'A017',
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: null,
        ...fields,
      });

    // As the ingest stores a device's events: every column is the envelope's.
    const plain = asSent(rating());
    // The server moved the hlc (a clock far ahead), and checked the payload into another form.
    const sentE = rating({ ticket: ' A018 ' });
    const checked: Appended = {
      ...asSent(sentE),
      hlc: '2026-03-02T08:00:00.000Z-0000-0123456789abcdef',
      payload: { ...(sentE.payload as RatingSubmitted), ticket: 'A018' },
    };
    // A copy under other ids (as a raw insert of stored rows makes one): the envelope is not it.
    const original = rating({ level: 'satisfied', reasons: [], comment: '' });
    const copy: Appended = {
      ...asSent(original),
      id: newId(),
      deviceId: newId(),
      deviceSeq: 9_000,
      actorId: null,
      prevHash: null,
    };
    // An envelope without an actor, stored with one; and a type the envelope does not name.
    const actor = rating({ level: 'very_satisfied', reasons: [], comment: '' });
    const withActor: Appended = { ...asSent(actor), actorId: newId(), type: 'rating.submitted' };
    delete (actor as { actorId?: string | null }).actorId;

    const events = [plain, checked, copy, withActor];
    const ratings: RatingRow[] = [
      // Its event's payload: taken from the event, with its address hash.
      ratingOf(plain, hallId, 'addr-hash-1'),
      ratingOf(checked, hallId),
      ratingOf(copy, hallId),
      // Not its event's payload: stored as given.
      {
        ...ratingOf(withActor, hallId),
        comment: 'a comment the payload does not hold',
        level: 'satisfied',
      },
    ];
    const first = await server.db.tx((tx) => appendEvents(tx, hallId, events, ratings));

    const got = await stored(events.map((e) => e.id));
    expect(got.events.map((e) => e.hallSeq)).toEqual([first, first + 1, first + 2, first + 3]);
    expect(got.events.map((e) => e.event)).toEqual(
      events.map((e) => ({ ...e, actorId: e.actorId ?? null })),
    );
    expect(got.events[1]!.event.payload).toMatchObject({ ticket: 'A018' });
    expect(
      (got.events[1]!.event.envelope as EventEnvelope<'rating.submitted'>).payload.ticket,
    ).toBe(' A018 ');
    expect(got.events[1]!.event.hlc).not.toBe(got.events[1]!.event.hlcOriginal);
    expect(got.ratings).toEqual(
      [...ratings]
        .map((r) => ({ ...r, addressHash: r.addressHash ?? null }))
        .sort((a, b) => (a.eventId < b.eventId ? -1 : 1)),
    );
  });

  it('stores a rating that differs from its payload as given, and one of another event too', async () => {
    const hallId = server.seed.hall.id;
    const window = server.seed.windows[1]!;
    const device = new TestDevice(newId(), hallId, 'token', window.id);
    const e = asSent(
      device.append('rating.submitted', {
        windowId: window.id,
        departmentId: window.departmentId,
        level: 'satisfied',
        reasons: [],
        comment: '',
        ticket: null,
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: null,
      }),
    );
    const other = server.seed.windows[2]!;
    const ratings: RatingRow[] = [
      {
        ...ratingOf(e, hallId),
        windowId: other.id,
        departmentId: other.departmentId,
        reasons: ['waited_too_long'],
        ticket: 'B001',
        at: '2026-03-01T00:00:00.000Z',
      },
    ];
    await server.db.tx((tx) => appendEvents(tx, hallId, [e], ratings));
    const got = await stored([e.id]);
    expect(got.events.map((x) => x.event)).toEqual([e]);
    expect(got.ratings).toEqual(ratings);
  });
});
