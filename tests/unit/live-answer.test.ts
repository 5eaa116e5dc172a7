import { describe, expect, it } from 'vitest';
import {
  LiveAnswer,
  storedAnswer,
  type AnswerCache,
  type KeptAnswer,
} from '../../src/screens/live-answer.svelte';
import { memoryStore } from '../../src/storage/settings';
import { manualTime } from './manual-time';

/** A server answering from a script: a number, or `null` for "cannot be reached". */
function server(script: (number | null)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    load: async (): Promise<number> => {
      calls++;
      const next = script.length > 1 ? script.shift()! : script[0]!;
      if (next === null) throw new TypeError('Failed to fetch');
      return next;
    },
  };
}

const broken: AnswerCache<number> = {
  load: () => Promise.reject(new Error('storage gone')),
  save: () => Promise.reject(new Error('storage gone')),
};

function setup(script: (number | null)[], cache: AnswerCache<number>) {
  const time = manualTime({ ms: 1_000 });
  const api = server(script);
  const live = new LiveAnswer({ load: api.load, cache, timers: time.timers, now: time.now });
  return { live, api, time };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LiveAnswer', () => {
  it('knows when it last asked the server, answered or not', async () => {
    const { live, time } = setup([1, null], broken);
    expect(live.checkedAt).toBe(1_000);
    await live.start();
    expect(live.savedAt).toBe(1_000);
    time.advance(live.refreshMs);
    await flush();
    expect(live.status).toBe('stale');
    expect(live.answer).toBe(1);
    expect(live.savedAt).toBe(1_000);
    expect(live.checkedAt).toBe(1_000 + live.refreshMs);
    live.stop();
  });

  it('works without a place to keep answers: nothing shown until the server answers', async () => {
    const { live, api, time } = setup([null, 4], broken);
    await live.start();
    expect(live.status).toBe('failed');
    expect(live.answer).toBeNull();
    time.advance(live.refreshMs);
    await flush();
    expect(api.calls).toBe(2);
    expect(live.status).toBe('live');
    expect(live.answer).toBe(4);
    live.stop();
  });

  it('does not let a kept answer replace a newer one it already shows', async () => {
    let kept: KeptAnswer<number> | undefined;
    const cache: AnswerCache<number> = {
      load: async () => kept,
      save: async (value) => void (kept = value),
    };
    const { live } = setup([5, null], cache);
    await live.start();
    kept = { answer: 2, savedAt: 0 };
    // Opened again while the server is away: the answer it already has stays.
    await live.start();
    expect(live.answer).toBe(5);
    expect(live.status).toBe('stale');
    live.stop();
  });
});

describe('storedAnswer', () => {
  const isNumber = (value: unknown) => typeof value === 'number';

  it('stores the answer under its own field and reads it back', async () => {
    const store = memoryStore();
    const cache = storedAnswer<number>(store, 'k', 'figure', isNumber);
    expect(await cache.load()).toBeUndefined();
    await cache.save({ answer: 7, savedAt: 42 });
    expect(await store.get('k')).toEqual({ figure: 7, savedAt: 42 });
    expect(await cache.load()).toEqual({ answer: 7, savedAt: 42 });
  });

  it('reads a record it does not recognise as nothing kept', async () => {
    const store = memoryStore();
    const cache = storedAnswer<number>(store, 'k', 'figure', isNumber);
    for (const record of [
      { figure: 'seven', savedAt: 42 },
      { figure: 7 },
      { answer: 7, savedAt: 42 },
      'x',
    ]) {
      await store.set('k', record);
      expect(await cache.load()).toBeUndefined();
    }
  });
});
