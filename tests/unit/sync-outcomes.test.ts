import { describe, expect, it } from 'vitest';
import { clockOffsetMs } from '../../src/sync/clock';
import { HttpError, NetworkError, SyncError, classifyError } from '../../src/sync/errors';
import { settlePush } from '../../src/sync/outcomes';
import type { EventOutcome } from '../../src/sync/protocol';

const sent = (...seqs: number[]) => seqs.map((s) => ({ deviceSeq: s, event: { id: `id-${s}` } }));
const stored = (s: number): EventOutcome => ({ id: `id-${s}`, deviceSeq: s, status: 'stored' });
const duplicate = (s: number): EventOutcome => ({
  id: `id-${s}`,
  deviceSeq: s,
  status: 'duplicate',
});
const rejected = (s: number, reason = 'wrong_window'): EventOutcome => ({
  id: `id-${s}`,
  deviceSeq: s,
  status: 'rejected',
  reason,
  message: `event ${s} refused`,
});

describe('settlePush', () => {
  const cases: {
    name: string;
    sent: number[];
    lastSeq: number | null;
    results: EventOutcome[];
    acked: number[];
    rejected: number[];
  }[] = [
    {
      name: 'stored → acked',
      sent: [1, 2],
      lastSeq: 2,
      results: [stored(1), stored(2)],
      acked: [1, 2],
      rejected: [],
    },
    {
      name: 'duplicate (a resend) → acked',
      sent: [1, 2],
      lastSeq: 2,
      results: [duplicate(1), stored(2)],
      acked: [1, 2],
      rejected: [],
    },
    {
      name: 'rejected → kept as rejected, later events still acked',
      sent: [1, 2, 3],
      lastSeq: 3,
      results: [stored(1), rejected(2), stored(3)],
      acked: [1, 3],
      rejected: [2],
    },
    {
      name: 'unanswered but at or below lastSeq → processed',
      sent: [4, 5, 6],
      lastSeq: 5,
      results: [stored(4)],
      acked: [4, 5],
      rejected: [],
    },
    {
      name: 'unanswered above lastSeq → stays pending',
      sent: [4, 5, 6],
      lastSeq: 4,
      results: [stored(4)],
      acked: [4],
      rejected: [],
    },
    {
      name: 'lastSeq beyond what was sent → the batch is settled, nothing else assumed',
      sent: [1, 2],
      lastSeq: 9,
      results: [stored(1), stored(2)],
      acked: [1, 2],
      rejected: [],
    },
    {
      name: 'no lastSeq (phones) → only answered events settle',
      sent: [1, 2],
      lastSeq: null,
      results: [rejected(1, 'duplicate_ticket')],
      acked: [],
      rejected: [1],
    },
    {
      name: 'outcomes for events not sent are ignored',
      sent: [1],
      lastSeq: 1,
      results: [stored(1), stored(7)],
      acked: [1],
      rejected: [],
    },
  ];

  it.each(cases)('$name', (c) => {
    const s = settlePush(sent(...c.sent), { lastSeq: c.lastSeq, results: c.results });
    expect(s.acked).toEqual(c.acked);
    expect(s.rejected.map((r) => r.deviceSeq)).toEqual(c.rejected);
  });

  it('keeps the reason and message of a refusal', () => {
    const s = settlePush(sent(1), { lastSeq: 1, results: [rejected(1, 'unknown_window')] });
    expect(s.rejected).toEqual([
      { deviceSeq: 1, reason: 'unknown_window', message: 'event 1 refused' },
    ]);
  });
});

describe('classifyError', () => {
  const http = (status: number, error?: string, retryAfterMs: number | null = null) =>
    new HttpError(status, error ? { error, message: error } : null, retryAfterMs);

  it.each([
    ['no answer', new NetworkError('failed'), 'offline', true],
    ['503 with Retry-After', http(503, 'server_unavailable', 5000), 'server_unavailable', true],
    ['500', http(500), 'server_unavailable', true],
    ['429', http(429, 'rate_limited', 60_000), 'rate_limited', true],
    ['401', http(401, 'unauthorized'), 'unauthorized', false],
    ['403 revoked', http(403, 'revoked'), 'revoked', false],
    ['403 other', http(403, 'forbidden'), 'unauthorized', false],
    ['409 gap', http(409, 'gap'), 'gap', false],
    ['400', http(400, 'invalid_body'), 'bad_request', false],
    ['413', http(413, 'too_large'), 'bad_request', false],
    ['engine decision', new SyncError('gap'), 'gap', false],
    ['a full disk', new DOMException('full', 'QuotaExceededError'), 'storage_full', false],
    [
      'nested quota',
      Object.assign(new Error('abort'), {
        name: 'AbortError',
        inner: new DOMException('q', 'QuotaExceededError'),
      }),
      'storage_full',
      false,
    ],
    ['other storage failure', new Error('DatabaseClosedError'), 'storage_unavailable', true],
  ] as const)('%s → %s', (_name, error, code, retryable) => {
    const c = classifyError(error);
    expect(c.code).toBe(code);
    expect(c.retryable).toBe(retryable);
  });

  it('carries the server’s Retry-After', () => {
    expect(classifyError(http(503, 'server_unavailable', 7000)).retryAfterMs).toBe(7000);
    expect(classifyError(http(429, 'rate_limited', 2000)).retryAfterMs).toBe(2000);
  });
});

describe('clockOffsetMs', () => {
  it('is server time minus the midpoint of the request', () => {
    const sent = Date.UTC(2026, 0, 1, 9, 0, 0);
    const server = new Date(sent + 60_000 + 50).toISOString();
    expect(clockOffsetMs(server, sent, sent + 100)).toBe(60_000);
  });

  it('is negative when the device runs ahead', () => {
    const sent = Date.UTC(2026, 0, 1, 9, 0, 0);
    expect(clockOffsetMs(new Date(sent - 30_000).toISOString(), sent, sent)).toBe(-30_000);
  });

  it('is null for an unreadable server time', () => {
    expect(clockOffsetMs('yesterday', 0, 0)).toBeNull();
  });
});
