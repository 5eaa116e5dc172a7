import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { LocalStore } from '../../src/storage/store';
import { EventSource, ManualClock, at, makeHall } from './duty-fixtures';

const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const PROOF = 'ab'.repeat(32);

describe('duty events indexed by their session (schema version 5)', () => {
  it('links the duty events a version 4 database holds, and folds a session from them', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:30'));
    const kiosk = new EventSource(hall.hallId, newId(), clock.now);
    const sessionId = newId();
    const signedIn = kiosk.make('duty.signedIn', {
      sessionId,
      leaderId: hall.leaderId,
      departmentId: hall.departmentId,
      windowId: hall.windowId,
      shiftId: null,
      method: 'pin',
      pinVersion: 1,
      pinProof: PROOF,
    });
    // The database as version 4 of the app left it: the sign-in pulled, its session folded.
    const name = `v4-${newId()}`;
    const old = new Dexie(name);
    old.version(4).stores({
      log: 'deviceSeq, &id, [status+deviceSeq], type, problemId, walkId',
      ratings: 'id, status, ticket, [windowId+atMs]',
      hallEvents: 'hallSeq, &id, type, problemId, walkId',
      reference: 'key',
      meta: 'key',
      dutySessions: 'id, leaderId',
      dutyLedger: 'entryId, sessionId',
      pins: 'leaderId',
      pinFailures: 'leaderId',
      photos: 'sha256, uploaded',
      problems: 'id, walkId, recordedHlc',
      walks: 'id',
    });
    await old.open();
    await old.table('hallEvents').add({
      hallSeq: signedIn.hallSeq,
      id: signedIn.id,
      type: signedIn.type,
      valid: true,
      event: signedIn,
    });
    await old.table('meta').bulkPut([
      { key: 'deviceId', value: 'this-device' },
      { key: 'cursor', value: signedIn.hallSeq },
    ]);
    old.close();

    const store = await LocalStore.open(name, 'this-device');
    stores.push(store);
    expect(store.db.verno).toBeGreaterThanOrEqual(5);
    expect(await store.db.hallEvents.where('sessionId').equals(sessionId).count()).toBe(1);

    // The sign-out pulled now finds the sign-in through the index: the session is whole.
    clock.ms += 3_600_000;
    const signedOut = kiosk.make('duty.signedOut', { sessionId, reason: 'manual' });
    await store.applyPage([signedOut], signedOut.hallSeq);
    expect(await store.duty.session(sessionId)).toMatchObject({
      id: sessionId,
      leaderId: hall.leaderId,
      signedInAt: signedIn.at,
      signedOutAt: signedOut.at,
    });
  });

  it('re-folds a session from its own events only, own and pulled', async () => {
    const hall = makeHall();
    const store = await LocalStore.open(`duty-${newId()}`, newId());
    stores.push(store);
    const writer = { hallId: hall.hallId, deviceId: store.deviceId };
    const signIn = (sessionId: string) =>
      store.duty.signIn(
        writer,
        newId(),
        {
          sessionId,
          leaderId: hall.leaderId,
          departmentId: hall.departmentId,
          windowId: hall.windowId,
          shiftId: null,
          method: 'pin',
          pinVersion: 1,
          pinProof: PROOF,
        },
        hall.leaderId,
      );
    const a = newId();
    const b = newId();
    await signIn(a);
    await signIn(b);
    await store.duty.signOut(writer, hall.leaderId, { sessionId: a, reason: 'manual' });
    expect(await store.db.log.where('sessionId').equals(a).count()).toBe(2);
    expect((await store.duty.session(a))!.signedOutAt).not.toBeNull();
    expect((await store.duty.session(b))!.signedOutAt).toBeNull();
    // A rating naming a session is not one of its events.
    await store.ratings.record({
      ...writer,
      payload: {
        windowId: hall.windowId,
        departmentId: hall.departmentId,
        level: 'satisfied',
        reasons: [],
        comment: '',
        ticket: null,
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: b,
      },
    });
    expect(await store.db.log.where('sessionId').equals(b).count()).toBe(1);
  });
});
