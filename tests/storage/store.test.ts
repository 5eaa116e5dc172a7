import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { appendToLog, EMPTY_HEAD, type LogHead } from '../../src/domain/device';
import type { EventType, PayloadOf } from '../../src/domain/events';
import { formatHlc, parseHlc } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { UnsyncedRecordsError } from '../../src/storage/errors';
import { DeviceClock, LocalStore } from '../../src/storage/store';
import type { PulledEvent } from '../../src/sync/protocol';
import { payload } from './own-log';

const hallId = newId();
const consoleId = newId();
const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
async function openStore(name = `test-${newId()}`, deviceId = newId(), clock?: DeviceClock) {
  const store = await LocalStore.open(name, deviceId, clock ? { clock } : {});
  stores.push(store);
  return store;
}

/** Events as the console writes them, numbered in the hall's order as the server would. */
function consoleLog() {
  let head: LogHead = EMPTY_HEAD;
  let hallSeq = 0;
  let millis = Date.UTC(2026, 4, 1, 8, 0, 0);
  return <T extends EventType>(type: T, payload: PayloadOf<T>): PulledEvent => {
    const hlc = formatHlc({ millis: millis++, counter: 0, node: '0'.repeat(16) });
    const next = appendToLog(head, {
      type,
      payload,
      hallId,
      deviceId: consoleId,
      at: new Date(millis).toISOString(),
      hlc,
    });
    head = next.head;
    return { ...next.event, hallSeq: ++hallSeq } as PulledEvent;
  };
}

describe('LocalStore', () => {
  it('starts afresh for another device only once nothing waits to be sent', async () => {
    const name = `test-${newId()}`;
    const first = await LocalStore.open(name, newId());
    await first.ratings.record({
      hallId,
      deviceId: first.deviceId,
      payload: {
        windowId: newId(),
        departmentId: newId(),
        level: 'satisfied',
        reasons: [],
        comment: '',
        ticket: null,
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: null,
      },
    });
    await first.applyPage([], 42);
    first.close();

    const same = await LocalStore.open(name, first.deviceId);
    expect(await same.log.all()).toHaveLength(1);

    // While a record waits to be sent, another enrollment cannot take the database over.
    await expect(LocalStore.open(name, newId())).rejects.toBeInstanceOf(UnsyncedRecordsError);
    expect(await same.log.all()).toHaveLength(1);
    await same.settle({ acked: [1], rejected: [] }, new Date().toISOString());
    same.close();

    const other = await openStore(name);
    expect(await other.log.all()).toHaveLength(0);
    expect(await other.cursor()).toBe(0);
    expect(await other.db.getMeta('deviceId')).toBe(other.deviceId);
  });

  it('restores the clock offset learned on an earlier sync', async () => {
    const name = `test-${newId()}`;
    const deviceId = newId();
    const a = await openStore(name, deviceId);
    await a.setClockOffset(-4200);
    a.close();
    const b = await openStore(name, deviceId, new DeviceClock(() => 1_000_000));
    expect(b.clock.offsetMs).toBe(-4200);
    expect(b.clock.serverNow()).toBe(1_000_000 - 4200);
  });
});

describe('HallRepository.applyPage', () => {
  const departmentId = newId();
  const windowId = newId();

  it('stores the events, folds reference data and moves the cursor', async () => {
    const store = await openStore();
    const make = consoleLog();
    const page = [
      make('ref.hallSaved', { name: '市民服务中心', nameEn: 'Citizen Service Centre' }),
      make('ref.departmentSaved', {
        departmentId,
        code: 'TAX',
        name: '税务',
        sort: 1,
        active: true,
      }),
      make('ref.windowSaved', {
        windowId,
        departmentId,
        code: 'A01',
        name: 'A01 窗口',
        sort: 1,
        active: true,
      }),
      make('ref.settingsSaved', { phoneRatingIntervalMinutes: 15 }),
    ];
    const ref = await store.applyPage(page, 4);
    expect(ref.hall?.name).toBe('市民服务中心');
    expect(ref.windows[windowId]).toMatchObject({ code: 'A01', departmentId });
    expect(ref.settings.phoneRatingIntervalMinutes).toBe(15);
    expect(await store.cursor()).toBe(4);
    expect(await store.hall.count()).toBe(4);
    expect(await store.reference()).toEqual(ref);
    // Our clock now sorts after what we received.
    expect(parseHlc((await store.db.getMeta('hlc'))!)!.millis).toBeGreaterThanOrEqual(
      parseHlc(page[3]!.hlc)!.millis,
    );

    // A later version of the window wins.
    const rename = make('ref.windowSaved', {
      windowId,
      departmentId,
      code: 'A01',
      name: 'A01 综合窗口',
      sort: 1,
      active: true,
    });
    await store.applyPage([rename], 5);
    expect((await store.reference()).windows[windowId]!.name).toBe('A01 综合窗口');
  });

  it('commits events and cursor together: a failed page leaves neither', async () => {
    const store = await openStore();
    const make = consoleLog();
    await store.applyPage(
      [
        make('ref.departmentSaved', {
          departmentId,
          code: 'TAX',
          name: '税务',
          sort: 1,
          active: true,
        }),
      ],
      1,
    );
    const fail = () => {
      throw new Error('disk error');
    };
    store.db.reference.hook('updating', fail);
    store.db.reference.hook('creating', fail);
    const page = [
      make('ref.windowSaved', {
        windowId,
        departmentId,
        code: 'A01',
        name: 'A01 窗口',
        sort: 1,
        active: true,
      }),
    ];
    await expect(store.applyPage(page, 2)).rejects.toThrow();
    store.db.reference.hook('updating').unsubscribe(fail);
    store.db.reference.hook('creating').unsubscribe(fail);
    expect(await store.cursor()).toBe(1);
    expect(await store.hall.count()).toBe(1);
    expect((await store.reference()).windows[windowId]).toBeUndefined();
    // The same page applies cleanly afterwards.
    await store.applyPage(page, 2);
    expect(await store.cursor()).toBe(2);
    expect((await store.reference()).windows[windowId]).toBeDefined();
  });

  it('ignores events at or below the cursor and never moves it backwards', async () => {
    const store = await openStore();
    const make = consoleLog();
    const a = make('ref.departmentSaved', {
      departmentId,
      code: 'TAX',
      name: '税务',
      sort: 1,
      active: true,
    });
    const b = make('ref.departmentSaved', {
      departmentId,
      code: 'TAX',
      name: '税务局',
      sort: 1,
      active: true,
    });
    await store.applyPage([a, b], 2);
    await store.applyPage([a], 1);
    expect(await store.cursor()).toBe(2);
    expect((await store.reference()).departments[departmentId]!.name).toBe('税务局');
  });

  it("does not store again the device's own events pulled back that no fold reads", async () => {
    const store = await openStore();
    const rating = (level: 'satisfied' | 'very_dissatisfied') =>
      store.ratings.record({
        hallId,
        deviceId: store.deviceId,
        payload: {
          ...payload,
          windowId,
          departmentId,
          level,
          reasons: level === 'satisfied' ? [] : ['attitude'],
        },
      });
    const satisfied = await rating('satisfied');
    const poor = await rating('very_dissatisfied');
    const make = consoleLog();
    const other = make('ref.departmentSaved', {
      departmentId,
      code: 'TAX',
      name: '税务',
      sort: 1,
      active: true,
    });
    const clockBefore = await store.db.getMeta('hlc');
    // The server's order: the console's event, then ours pulled back.
    await store.applyPage(
      [other, { ...satisfied, hallSeq: 2 }, { ...poor, hallSeq: 3 }] as PulledEvent[],
      3,
    );
    // The 差评 opens a problem, which the pipeline folds from its pulled copy: kept. The
    // satisfied rating is in the own log only.
    const held = await store.db.hallEvents.toArray();
    expect(held.map((r) => r.id)).toEqual([other.id, poor.id]);
    expect(held[1]).toMatchObject({ problemId: poor.id, valid: true });
    expect(await store.db.log.count()).toBe(2);
    expect(await store.cursor()).toBe(3);
    expect(await store.db.getMeta('hlc')).toBe(clockBefore);
    expect((await store.reference()).departments[departmentId]?.name).toBe('税务');
    // Another device's satisfied rating is stored as pulled.
    const theirs = { ...satisfied, id: newId(), deviceId: newId(), hallSeq: 4 } as PulledEvent;
    await store.applyPage([theirs], 4);
    expect((await store.db.hallEvents.toArray()).map((r) => r.id)).toContain(theirs.id);
  });

  it('moves the clock only for an event later than it: a page of earlier ones leaves its row', async () => {
    const store = await openStore();
    const make = consoleLog();
    const department = (name: string) =>
      make('ref.departmentSaved', { departmentId, code: 'TAX', name, sort: 1, active: true });
    const earlier = [department('税务'), department('税务局')];
    // Our clock stands after both (as after our own events pulled back), though well before now.
    const ours = formatHlc({
      millis: parseHlc(earlier[1]!.hlc)!.millis + 60_000,
      counter: 3,
      node: 'f'.repeat(16),
    });
    await store.db.putMeta('hlc', ours);
    let written = 0;
    store.db.meta.hook('updating', (_changes, key) => {
      if (key === 'hlc') written++;
    });
    store.db.meta.hook('creating', (key) => {
      if (key === 'hlc') written++;
    });

    await store.applyPage(earlier, 2);
    expect(await store.cursor()).toBe(2);
    expect(await store.db.getMeta('hlc')).toBe(ours);
    expect(written).toBe(0);

    // One later than our clock: the clock then sorts after it.
    const later = department('税务局（新）');
    const laterHlc = formatHlc({ ...parseHlc(ours)!, millis: parseHlc(ours)!.millis + 1 });
    await store.applyPage([{ ...later, hlc: laterHlc }], 3);
    expect((await store.db.getMeta('hlc'))! > laterHlc).toBe(true);
    expect(written).toBe(1);
  });

  it('checks a page before its transaction, letting the browser run waiting work every 32 events', async () => {
    const store = await openStore();
    const make = consoleLog();
    const page = Array.from({ length: 70 }, (_, i) =>
      make('ref.departmentSaved', {
        departmentId,
        code: 'TAX',
        name: `税务 ${i}`,
        sort: 1,
        active: true,
      }),
    );
    (page[40]!.payload as { code: string }).code = 'not a code!';
    // What the browser runs at each yield (a tap's handler): nothing of the page is written yet.
    const between: string[] = [];
    const scheduler = {
      yield: async () => {
        between.push(`cursor ${await store.cursor()}`);
      },
    };
    (globalThis as { scheduler?: unknown }).scheduler = scheduler;
    try {
      await store.applyPage(page, 70);
    } finally {
      delete (globalThis as { scheduler?: unknown }).scheduler;
    }
    expect(between).toEqual(['cursor 0', 'cursor 0']);
    expect(await store.cursor()).toBe(70);
    const held = await store.db.hallEvents.toArray();
    expect(held.filter((e) => !e.valid).map((e) => e.hallSeq)).toEqual([41]);
    expect((await store.reference()).departments[departmentId]!.name).toBe('税务 69');
  });

  it('keeps an invalid pulled event without folding it', async () => {
    const store = await openStore();
    const make = consoleLog();
    const bad = {
      ...make('ref.windowSaved', {
        windowId,
        departmentId,
        code: 'A01',
        name: 'x',
        sort: 1,
        active: true,
      }),
    };
    (bad.payload as { code: string }).code = 'not a code!';
    await store.applyPage([bad], 1);
    expect((await store.db.hallEvents.get(1))!.valid).toBe(false);
    expect((await store.reference()).windows[windowId]).toBeUndefined();
    expect(await store.cursor()).toBe(1);
  });
});
