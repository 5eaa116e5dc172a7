/**
 * A full push of 500 events with every kind of outcome mixed together: what each event is answered,
 * what is stored (in consecutive hall order), what is projected and what is kept as rejected must
 * be exactly what deciding the events one after another gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/domain/device';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { writeConsoleEvents } from '../../src/server/services/console-writer';
import type { EventOutcome, PublicRatingsResponse } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { TestDevice, count, enrollDevice, pushOk } from './helpers';

type Expected = EventOutcome & { ticket?: string | null };

const stored = (e: EventEnvelope, ticket: string | null = null): Expected => ({
  id: e.id,
  deviceSeq: e.deviceSeq,
  status: 'stored',
  ticket,
});
const rejected = (e: { id: string; deviceSeq: number }, reason: string, message: string) =>
  ({ id: e.id, deviceSeq: e.deviceSeq, status: 'rejected', reason, message }) as const;

const MESSAGES = {
  duplicate_ticket: 'this ticket has already been rated',
  poor_rating_needs_reason: 'payload: a poor rating needs a ticked reason or a written comment',
  wrong_window: 'an evaluator may only rate the window it is bound to',
  unknown_window: 'the rated window does not exist or is closed',
  wrong_department: 'departmentId is not the department of the rated window',
  invalid_chain: "prevHash is not the hash of the device's previous event",
  duplicate_id: 'another event already has this id',
  unknown_event_type: 'type: unknown event type "rating.deleted"',
  wrong_hall: 'the event belongs to another hall',
  too_soon: 'this phone rated this window less than 10 minutes ago',
};

const reject = (e: { id: string; deviceSeq: number }, reason: keyof typeof MESSAGES) =>
  rejected(e, reason, MESSAGES[reason]);

function strip(outcome: Expected): EventOutcome {
  const { ticket: _ticket, ...rest } = outcome;
  return rest as EventOutcome;
}

describe.each(backends)('a mixed batch of 500 on $name', ({ name }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  const hallNextSeq = async () =>
    (
      await server.db.query<{ seq: number }>('SELECT next_seq AS seq FROM halls WHERE id = $1', [
        server.seed.hall.id,
      ])
    )[0]!.seq;

  it('answers, stores, projects and rejects each event as deciding them one by one does', async () => {
    const s = server;
    const run = newId().slice(-8);
    const d = await enrollDevice(s, 'A01');
    const other = await enrollDevice(s, 'A02');
    const [a01, a02] = [s.seed.windows[0]!, s.seed.windows[1]!];

    // Tickets another device already counted, and ten events of this device already stored.
    const counted = Array.from({ length: 5 }, (_, k) => `C-${run}-${k}`);
    await pushOk(
      s.app,
      other,
      counted.map((ticket) => other.rating(s, { ticket })),
    );
    const earlier = Array.from({ length: 10 }, () => d.rating(s));
    await pushOk(s.app, d, earlier);

    const events: EventEnvelope[] = [];
    const expected: Expected[] = [];
    const add = (e: EventEnvelope, outcome: Expected) => {
      events.push(e);
      expected.push(outcome);
    };
    let ticketNo = 0;
    const freshTicket = () => `T-${run}-${ticketNo++}`;
    const storedInBatch: EventEnvelope[] = [];
    const rejectedInBatch: EventEnvelope[] = [];
    const ticketsInBatch: string[] = [];

    for (let i = 0; events.length < 500; i++) {
      switch (i % 17) {
        case 0:
        case 1:
        case 2: {
          const ticket = i % 2 === 0 ? freshTicket() : null;
          const e = d.rating(s, { ticket, level: i % 3 === 0 ? 'satisfied' : 'very_satisfied' });
          add(e, stored(e, ticket));
          storedInBatch.push(e);
          if (ticket) ticketsInBatch.push(ticket);
          break;
        }
        case 3: {
          // A ticket counted before this push, sent with blanks around it.
          const e = d.rating(s, { ticket: `  ${counted[i % counted.length]!} ` });
          add(e, reject(e, 'duplicate_ticket'));
          rejectedInBatch.push(e);
          break;
        }
        case 4: {
          // A ticket stored earlier in this very batch.
          const ticket = ticketsInBatch[ticketsInBatch.length - 1]!;
          const e = d.rating(s, { ticket });
          add(e, reject(e, 'duplicate_ticket'));
          rejectedInBatch.push(e);
          break;
        }
        case 5: {
          // A poor rating without a reason is refused, so its ticket is still free afterwards.
          const ticket = freshTicket();
          const bad = d.rating(s, { ticket, level: 'very_dissatisfied', reasons: [], comment: '' });
          add(bad, reject(bad, 'poor_rating_needs_reason'));
          rejectedInBatch.push(bad);
          const good = d.rating(s, { ticket, level: 'dissatisfied', reasons: ['waited_too_long'] });
          add(good, stored(good, ticket));
          storedInBatch.push(good);
          ticketsInBatch.push(ticket);
          break;
        }
        case 6: {
          const e = d.rating(s, { windowId: a02.id, departmentId: a02.departmentId });
          add(e, reject(e, 'wrong_window'));
          rejectedInBatch.push(e);
          break;
        }
        case 7: {
          const e = d.rating(s, { windowId: newId() });
          add(e, reject(e, 'unknown_window'));
          rejectedInBatch.push(e);
          break;
        }
        case 8: {
          const e = d.rating(s, { departmentId: s.seed.departments[3]!.id });
          add(e, reject(e, 'wrong_department'));
          rejectedInBatch.push(e);
          break;
        }
        case 9: {
          const e = d.rating(s, {}, { prevHash: 'b'.repeat(64) });
          add(e, reject(e, 'invalid_chain'));
          rejectedInBatch.push(e);
          break;
        }
        case 10: {
          // The id of an event stored by an earlier push.
          const e = d.rating(s, {}, { id: earlier[i % earlier.length]!.id });
          add(e, reject(e, 'duplicate_id'));
          rejectedInBatch.push(e);
          break;
        }
        case 11: {
          // The id of an event stored earlier in this batch.
          const e = d.rating(s, {}, { id: storedInBatch[storedInBatch.length - 1]!.id });
          add(e, reject(e, 'duplicate_id'));
          rejectedInBatch.push(e);
          break;
        }
        case 12: {
          const e = d.append('rating.submitted', d.ratingPayload(s), {
            type: 'rating.deleted' as 'rating.submitted',
          });
          add(e, reject(e, 'unknown_event_type'));
          rejectedInBatch.push(e);
          break;
        }
        case 13: {
          const e = d.rating(s, {}, { hallId: newId() });
          add(e, reject(e, 'wrong_hall'));
          rejectedInBatch.push(e);
          break;
        }
        case 14: {
          // The id of an event refused earlier in this batch: a valid event is still stored,
          const previous = rejectedInBatch[rejectedInBatch.length - 1]!;
          const e = d.rating(s, {}, { id: previous.id });
          add(e, stored(e));
          storedInBatch.push(e);
          break;
        }
        case 15: {
          // … and an invalid one is answered with its own reason, the first refusal kept on file
          // (the id of the event of case 12, which was not stored afterwards).
          const previous = rejectedInBatch[rejectedInBatch.length - 2]!;
          const e = d.rating(s, { windowId: newId() }, { id: previous.id });
          add(e, reject(e, 'unknown_window'));
          break;
        }
        case 16: {
          const ticket = freshTicket();
          const e = d.rating(s, { ticket, comment: `第${i}号 "引号" \\ 反斜杠` });
          add(e, stored(e, ticket));
          storedInBatch.push(e);
          ticketsInBatch.push(ticket);
          break;
        }
      }
    }
    events.length = 500;
    expected.length = 500;
    expect(events.map((e) => e.deviceSeq)).toEqual(Array.from({ length: 500 }, (_, k) => 11 + k));
    const kinds = new Set(expected.map((o) => (o.status === 'rejected' ? o.reason : o.status)));
    expect(kinds.size).toBe(10);

    const before = await hallNextSeq();
    const res = await pushOk(s.app, d, events);
    expect(res.lastSeq).toBe(510);
    expect(res.results).toEqual(expected.map(strip));

    // Stored events: consecutive hall_seq right after what the hall had, in the device's order.
    const storedExpected = expected.filter((o) => o.status === 'stored');
    const rows = await s.db.query<{
      id: string;
      hallSeq: number;
      deviceSeq: number;
      hlc: string;
      hash: string;
    }>(
      `SELECT id, hall_seq AS "hallSeq", device_seq AS "deviceSeq", hlc, hash FROM events
       WHERE device_id = $1 AND device_seq > 10 ORDER BY hall_seq`,
      [d.deviceId],
    );
    expect(rows.map((r) => [r.id, r.deviceSeq])).toEqual(
      storedExpected.map((o) => [o.id, o.deviceSeq]),
    );
    expect(rows.map((r) => r.hallSeq)).toEqual(rows.map((_, k) => before + 1 + k));
    expect(await hallNextSeq()).toBe(before + storedExpected.length);
    const byId = new Map(events.map((e) => [`${e.id}/${e.deviceSeq}`, e]));
    for (const r of rows) {
      const e = byId.get(`${r.id}/${r.deviceSeq}`)!;
      expect(r.hash).toBe(eventHash(e));
      expect(r.hlc).toBe(e.hlc);
    }

    // The ratings projection: one row per stored rating, tickets as counted (trimmed).
    const ratings = await s.db.query<{ id: string; ticket: string | null; windowId: string }>(
      `SELECT r.event_id AS id, r.ticket, r.window_id AS "windowId" FROM ratings r
       JOIN events e ON e.id = r.event_id WHERE r.device_id = $1 AND e.device_seq > 10
       ORDER BY e.hall_seq`,
      [d.deviceId],
    );
    expect(ratings).toEqual(
      storedExpected.map((o) => ({ id: o.id, ticket: o.ticket ?? null, windowId: a01.id })),
    );

    // Rejected events: one row per refused id (the first refusal of an id is the one kept).
    const firstRefusal = new Map<string, EventOutcome & { status: 'rejected' }>();
    for (const o of expected) {
      if (o.status === 'rejected' && !firstRefusal.has(o.id)) firstRefusal.set(o.id, o);
    }
    const refused = await s.db.query<{
      id: string;
      deviceSeq: number;
      reason: string;
      message: string;
      type: string | null;
    }>(
      `SELECT event_id AS id, device_seq AS "deviceSeq", reason, message, type FROM rejected_events
       WHERE device_id = $1 ORDER BY device_seq`,
      [d.deviceId],
    );
    expect(refused).toEqual(
      [...firstRefusal.values()].map((o) => ({
        id: o.id,
        deviceSeq: o.deviceSeq,
        reason: o.reason,
        message: o.message,
        type: o.reason === 'unknown_event_type' ? 'rating.deleted' : 'rating.submitted',
      })),
    );

    // The device's log head is the last event sent, valid or not.
    const device = await s.db.query<{ lastSeq: number; lastHash: string }>(
      'SELECT last_seq AS "lastSeq", last_hash AS "lastHash" FROM devices WHERE id = $1',
      [d.deviceId],
    );
    expect(device).toEqual([{ lastSeq: 510, lastHash: eventHash(events[499]!) }]);

    // Sent again, every event is answered from what was decided, and nothing more is written.
    const again = await pushOk(s.app, d, events);
    expect(again.results).toEqual(
      events.map((e) => {
        const refusal = firstRefusal.get(e.id);
        return refusal
          ? rejected(e, refusal.reason, refusal.message)
          : { id: e.id, deviceSeq: e.deviceSeq, status: 'duplicate' };
      }),
    );
    expect(await hallNextSeq()).toBe(before + storedExpected.length);
    expect(await count(s, 'rejected_events', 'device_id = $1', [d.deviceId])).toBe(
      firstRefusal.size,
    );
  });

  it('decides a phone batch in device order with in-batch duplicates and intervals', async () => {
    const s = server;
    const t = Date.now();
    const at = (ms: number) => ({ at: new Date(ms).toISOString() });
    const w = s.seed.windows[2]!;
    const p = new TestDevice(newId(), s.seed.hall.id, null, null);
    const ticket = `P-${newId().slice(-8)}`;
    const first = p.rating(s, { windowId: w.id, ticket }, at(t - 3600_000));
    const send = async (events: unknown[]) => {
      const res = await s.app.inject({
        method: 'POST',
        url: '/api/v1/public/ratings',
        payload: { windowCode: w.code, sig: w.sig, events },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<PublicRatingsResponse>();
    };
    expect((await send([first])).results[0]!.status).toBe('stored');

    const a = p.rating(s, { windowId: w.id }, at(t)); // stored
    const soon = p.rating(s, { windowId: w.id }, at(t + 5 * 60_000)); // too soon after a
    const nearFirst = p.rating(s, { windowId: w.id }, at(t - 3600_000 + 60_000)); // too soon
    const sameTicket = p.rating(s, { windowId: w.id, ticket }, at(t + 3 * 3600_000));
    const poor = p.rating(
      s,
      { windowId: w.id, level: 'dissatisfied', reasons: [], comment: '' },
      at(t + 4 * 3600_000),
    );
    const later = p.rating(s, { windowId: w.id, ticket: `${ticket}-2` }, at(t + 5 * 3600_000));
    // Sent out of order, with an event repeated and a refused one repeated.
    const res = await send([later, soon, a, poor, nearFirst, sameTicket, a, poor, first]);
    const outcomes = (list: EventOutcome[]) =>
      list.map((o) => [o.id, o.status === 'rejected' ? o.reason : o.status]);
    expect(outcomes(res.results)).toEqual([
      [first.id, 'duplicate'],
      [a.id, 'stored'],
      [a.id, 'duplicate'],
      [soon.id, 'too_soon'],
      [nearFirst.id, 'too_soon'],
      [sameTicket.id, 'duplicate_ticket'],
      [poor.id, 'poor_rating_needs_reason'],
      [poor.id, 'poor_rating_needs_reason'],
      [later.id, 'stored'],
    ]);
    expect(res.results[3]).toEqual(reject(soon, 'too_soon'));
    expect(res.results.map((o) => o.deviceSeq)).toEqual([1, 2, 2, 3, 4, 5, 6, 6, 7]);
    expect(await count(s, 'events', 'device_id = $1', [p.deviceId])).toBe(3);
    expect(await count(s, 'rejected_events', 'device_id = $1', [p.deviceId])).toBe(4);
    const phone = await s.db.query<{ lastSeq: number; lastHash: string }>(
      'SELECT last_seq AS "lastSeq", last_hash AS "lastHash" FROM devices WHERE id = $1',
      [p.deviceId],
    );
    expect(phone).toEqual([{ lastSeq: 7, lastHash: eventHash(later) }]);
  });

  it('writes a console batch whole, or nothing when one write is refused', async () => {
    const s = server;
    const hallId = s.seed.hall.id;
    const departmentId = newId();
    const windowId = newId();
    const code = `Z${newId().slice(-6)}`;
    const department = {
      type: 'ref.departmentSaved' as const,
      payload: { departmentId, code: `D${code}`, name: '测试部门', sort: 99, active: true },
    };
    const window = {
      type: 'ref.windowSaved' as const,
      payload: { windowId, departmentId, code, name: '测试窗口', sort: 1, active: true },
    };
    const before = await hallNextSeq();
    // A window of a department written in the same batch is accepted.
    const written = await s.db.tx((tx) =>
      writeConsoleEvents(tx, hallId, [department, window], Date.now()),
    );
    expect(written.map((e) => e.type)).toEqual(['ref.departmentSaved', 'ref.windowSaved']);
    expect(
      await count(s, 'windows', 'id = $1 AND department_id = $2', [windowId, departmentId]),
    ).toBe(1);
    const seqs = await s.db.query<{ seq: number }>(
      'SELECT hall_seq AS seq FROM events WHERE id = ANY($1::text[]) ORDER BY hall_seq',
      [written.map((e) => e.id)],
    );
    expect(seqs.map((r) => r.seq)).toEqual([before + 1, before + 2]);

    // A second window with the same code is refused, and the first write of the batch is undone.
    const renamed = { ...department, payload: { ...department.payload, name: '改名' } };
    const clash = { ...window, payload: { ...window.payload, windowId: newId() } };
    await expect(
      s.db.tx((tx) => writeConsoleEvents(tx, hallId, [renamed, clash], Date.now())),
    ).rejects.toMatchObject({ code: 'duplicate_code' });
    expect(await count(s, 'departments', 'id = $1 AND name = $2', [departmentId, '测试部门'])).toBe(
      1,
    );
    expect(await hallNextSeq()).toBe(before + 2);
  });
});
