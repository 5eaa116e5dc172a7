import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/domain/device';
import type { EventEnvelope } from '../../src/domain/events';
import type { PullResponse } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, pushOk } from './helpers';

/** Text that JSON escapes, or that takes several bytes: every byte must come back as sent. */
const AWKWARD = '引号 "quoted" \\ back\\slash / 😢 \t tab \u2028 line é';

describe.each(backends)('what a push stores, on $name', ({ name }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  it('keeps each event as sent, its checked payload beside it, in hall order', async () => {
    const d = await enrollDevice(server);
    const sent: EventEnvelope[] = [
      d.rating(server, { level: 'very_dissatisfied', reasons: ['attitude'], comment: AWKWARD }),
      // The schema trims a ticket: the payload keeps the trimmed one, the envelope what was sent.
      d.rating(server, { ticket: '  A017 ', comment: '' }),
      d.rating(server, { level: 'satisfied' }),
    ];
    const answer = await pushOk(server.app, d, sent);
    expect(answer.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);

    const rows = await server.db.query<{
      id: string;
      hallSeq: number;
      deviceSeq: number;
      hash: string;
      prevHash: string | null;
      payload: { ticket: string | null; comment: string };
      envelope: EventEnvelope;
    }>(
      `SELECT id, hall_seq AS "hallSeq", device_seq AS "deviceSeq", hash, prev_hash AS "prevHash",
         payload, envelope FROM events WHERE device_id = $1 ORDER BY hall_seq`,
      [d.deviceId],
    );
    expect(rows.map((r) => r.id)).toEqual(sent.map((e) => e.id));
    expect(rows.map((r) => r.deviceSeq)).toEqual([1, 2, 3]);
    const first = rows[0]!.hallSeq;
    expect(rows.map((r) => r.hallSeq)).toEqual([first, first + 1, first + 2]);
    rows.forEach((r, i) => {
      expect(r.envelope).toEqual(sent[i]);
      expect(r.hash).toBe(eventHash(sent[i]!));
      expect(r.prevHash).toBe(sent[i]!.prevHash);
    });
    expect(rows[0]!.payload.comment).toBe(AWKWARD);
    expect(rows[1]!.payload.ticket).toBe('A017');
    expect((rows[1]!.envelope.payload as { ticket: string }).ticket).toBe('  A017 ');

    // And another device pulling them gets what was sent, which hashes to the sender's chain.
    const reader = await enrollDevice(server, 'A02');
    const res = await fetch(`${server.url}/api/v1/sync/pull?after=${first - 1}`, {
      headers: reader.authorization(),
    });
    const page = (await res.json()) as PullResponse;
    const pulled = page.events.filter((e) => e.deviceId === d.deviceId);
    expect(pulled).toHaveLength(3);
    pulled.forEach(({ hallSeq, hlc, ...envelope }, i) => {
      expect(hallSeq).toBe(first + i);
      expect(hlc).toBe(sent[i]!.hlc);
      expect(eventHash({ ...envelope, hlc } as EventEnvelope)).toBe(eventHash(sent[i]!));
    });
  });
});
