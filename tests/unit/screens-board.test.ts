import { describe, expect, it } from 'vitest';
import { fetchBoard, type FetchLike } from '../../src/screens/board/board-api';
import { boardCache } from '../../src/screens/board/board-cache';
import {
  BoardState,
  REFRESH_MS,
  hallClock,
  percentText,
} from '../../src/screens/board/board-state.svelte';
import type { AnswerCache, KeptAnswer } from '../../src/screens/live-answer.svelte';
import { memoryStore } from '../../src/storage/settings';
import type { BoardResponse } from '../../src/sync/report-protocol';
import { manualTime } from './manual-time';

/** 2026-03-20 10:00 in the hall (UTC+8). */
const TEN_AM = Date.parse('2026-03-20T02:00:00Z');

function board(total: number): BoardResponse {
  return {
    hall: { name: '市民服务中心' },
    serverTime: '2026-03-20T02:00:00.000Z',
    today: '2026-03-20',
    month: '2026-03',
    onDuty: [
      {
        leader: { title: '税务局局长' },
        department: { name: '税务' },
        window: { code: 'A01', name: '综合受理' },
        signedIn: true,
        start: '09:00',
        end: '12:00',
      },
    ],
    departments: [
      { name: '税务', total, good: total, poor: 0, goodRate: total ? 1 : null, averageScore: null },
    ],
  };
}

/** A server answering from a script: a board, or `null` for "cannot be reached". */
function server(script: (BoardResponse | null)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    load: async (): Promise<BoardResponse> => {
      calls++;
      const next = script.length > 1 ? script.shift()! : script[0]!;
      if (next === null) throw new TypeError('Failed to fetch');
      return next;
    },
  };
}

type KeptBoard = KeptAnswer<BoardResponse>;

function memoryCache(
  initial?: KeptBoard,
): AnswerCache<BoardResponse> & { saved: KeptBoard | undefined } {
  const cache = {
    saved: initial,
    load: async () => cache.saved,
    save: async (value: KeptBoard) => void (cache.saved = value),
  };
  return cache;
}

function setup(script: (BoardResponse | null)[], cached?: KeptBoard, refreshMs?: number) {
  const time = manualTime({ ms: TEN_AM });
  const api = server(script);
  const cache = memoryCache(cached);
  const state = new BoardState({
    load: api.load,
    cache,
    timers: time.timers,
    now: time.now,
    ...(refreshMs ? { refreshMs } : {}),
  });
  /** Move the clock on and let the refreshes it fires finish. */
  const advance = async (ms: number) => {
    time.advance(ms);
    await flush();
  };
  return { state, api, cache, time, advance };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('BoardState', () => {
  it('shows what the server answers, says when, and keeps it for the next visit', async () => {
    const { state, cache } = setup([board(5)]);
    expect(state.status).toBe('loading');
    await state.start();
    expect(state.status).toBe('live');
    expect(state.board?.departments[0]?.total).toBe(5);
    expect(state.updatedAt).toBe('10:00');
    expect(cache.saved).toEqual({ answer: board(5), savedAt: TEN_AM });
    state.stop();
  });

  it('refreshes itself every minute', async () => {
    const { state, api, advance } = setup([board(5), board(6)]);
    await state.start();
    expect(REFRESH_MS).toBe(60_000);
    await advance(59_999);
    expect(api.calls).toBe(1);
    await advance(1);
    expect(api.calls).toBe(2);
    expect(state.board?.departments[0]?.total).toBe(6);
    expect(state.updatedAt).toBe('10:01');
    state.stop();
  });

  it('refreshes at the interval it was opened with', async () => {
    const { state, api, advance } = setup([board(1)], undefined, 2_000);
    await state.start();
    await advance(2_000);
    await advance(2_000);
    expect(api.calls).toBe(3);
    state.stop();
  });

  it('keeps showing the last data with its time and a notice while the server cannot be reached', async () => {
    const { state, advance } = setup([board(5), null, null, board(7)]);
    await state.start();
    await advance(REFRESH_MS);
    expect(state.status).toBe('stale');
    expect(state.board?.departments[0]?.total).toBe(5);
    expect(state.updatedAt).toBe('10:00');
    await advance(REFRESH_MS);
    expect(state.status).toBe('stale');
    // Back again: the new figures and their time.
    await advance(REFRESH_MS);
    expect(state.status).toBe('live');
    expect(state.board?.departments[0]?.total).toBe(7);
    expect(state.updatedAt).toBe('10:03');
    state.stop();
  });

  it('opens with the data kept from the last visit when the server is away, never blank', async () => {
    const kept = { answer: board(3), savedAt: TEN_AM - 3_600_000 };
    const { state } = setup([null], kept);
    await state.start();
    expect(state.status).toBe('stale');
    expect(state.board?.departments[0]?.total).toBe(3);
    expect(state.updatedAt).toBe('09:00');
    state.stop();
  });

  it('says it failed only when it has nothing to show, and keeps trying', async () => {
    const { state, api, advance } = setup([null, board(2)]);
    await state.start();
    expect(state.status).toBe('failed');
    expect(state.board).toBeNull();
    await advance(REFRESH_MS);
    expect(api.calls).toBe(2);
    expect(state.status).toBe('live');
    state.stop();
  });

  it('refreshes when it becomes visible again, once however often it is asked', async () => {
    const { state, api, time } = setup([board(1), board(2)]);
    await state.start();
    time.advance(10_000);
    await Promise.all([state.visible(), state.visible(), state.refresh()]);
    expect(api.calls).toBe(2);
    expect(state.board?.departments[0]?.total).toBe(2);
    // The next periodic refresh counts from this one.
    expect(time.pending()).toBe(1);
    state.stop();
  });

  it('stops refreshing when the screen is left', async () => {
    const { state, api, advance, time } = setup([board(1)]);
    await state.start();
    state.stop();
    expect(time.pending()).toBe(0);
    await advance(10 * REFRESH_MS);
    expect(api.calls).toBe(1);
  });
});

describe('board helpers', () => {
  it('writes a share as a percentage with one decimal', () => {
    expect(percentText(null)).toBeNull();
    expect(percentText(0.8)).toBe('80.0');
    expect(percentText(0.96543)).toBe('96.5');
    expect(percentText(1)).toBe('100.0');
  });

  it('writes the hall-local time', () => {
    expect(hallClock(TEN_AM)).toBe('10:00');
    expect(hallClock(Date.parse('2026-03-19T16:05:00Z'))).toBe('00:05');
  });

  it('refuses an answer of another shape', async () => {
    const answer =
      (body: unknown, status = 200): FetchLike =>
      async () =>
        new Response(JSON.stringify(body), { status });
    expect((await fetchBoard(answer(board(1)))).today).toBe('2026-03-20');
    await expect(fetchBoard(answer({ today: '2026-03-20' }))).rejects.toThrow('bad_response');
    await expect(fetchBoard(answer({ error: 'x' }, 429))).rejects.toThrow('http_429');
  });

  it('keeps only a well-formed board between visits', async () => {
    const store = memoryStore();
    const cache = boardCache(store);
    expect(await cache.load()).toBeUndefined();
    await cache.save({ answer: board(1), savedAt: TEN_AM });
    expect(await cache.load()).toEqual({ answer: board(1), savedAt: TEN_AM });
    // Stored as earlier versions stored it, so a board kept before an update still shows.
    expect(await store.get('publicBoard')).toEqual({ board: board(1), savedAt: TEN_AM });
    await store.set('publicBoard', { board: { onDuty: 'x' }, savedAt: TEN_AM });
    expect(await cache.load()).toBeUndefined();
  });
});
