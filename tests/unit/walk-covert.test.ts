import { describe, expect, it } from 'vitest';
import {
  validateEvent,
  type EventEnvelope,
  type EventType,
  type PayloadOf,
} from '../../src/domain/events';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { isUuidV7, newId } from '../../src/domain/ids';
import {
  CONCEALED_LEADER_ID,
  CONCEALED_PIN_PROOF,
  concealLeader,
  foldWalks,
  isConcealed,
} from '../../src/domain/walk';

const hallId = newId();
const tablet = newId();
const consoleId = newId();
const inspector = newId();
const colleague = newId();
const walkId = newId();

let seq = 0;
function event<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  minute: number,
  actorId: string | null = inspector,
  deviceId = tablet,
): EventEnvelope<T> {
  seq++;
  const at = Date.parse('2026-06-01T02:00:00Z') + minute * 60_000;
  return {
    v: 1,
    id: newId(),
    type,
    hallId,
    deviceId,
    deviceSeq: seq,
    prevHash: seq === 1 ? null : 'a'.repeat(64),
    actorId,
    at: new Date(at).toISOString(),
    hlc: formatHlc({ millis: at, counter: 0, node: hlcNode(deviceId) }),
    payload,
  };
}

const started = event(
  'walk.started',
  {
    walkId,
    mode: 'unannounced',
    leaderId: inspector,
    departmentId: newId(),
    windowId: null,
    serviceItem: '',
    pinVersion: 3,
    pinProof: 'b'.repeat(64),
  },
  0,
);
const checked = event('walk.checked', { walkId, itemId: newId(), result: 'fine', note: '' }, 1);
const byColleague = event('walk.ended', { walkId, summary: '' }, 2, colleague);
const published = event('walk.published', { walkId, leaderId: inspector }, 3, newId(), consoleId);

describe('concealing the inspector of an unannounced inspection', () => {
  it('uses a reserved id that is a valid UUIDv7 and no id made now', () => {
    expect(isUuidV7(CONCEALED_LEADER_ID)).toBe(true);
    expect(newId()).not.toBe(CONCEALED_LEADER_ID);
  });

  it('replaces the inspector as leader, PIN proof and actor, and the event stays valid', () => {
    const hidden = concealLeader(started, inspector);
    expect(hidden.payload).toMatchObject({
      leaderId: CONCEALED_LEADER_ID,
      pinProof: CONCEALED_PIN_PROOF,
      pinVersion: 1,
    });
    expect(hidden.actorId).toBe(CONCEALED_LEADER_ID);
    expect(JSON.stringify(hidden)).not.toContain(inspector);
    expect(validateEvent(hidden).ok).toBe(true);
    expect(started.payload.leaderId).toBe(inspector);
    expect(concealLeader(checked, inspector).actorId).toBe(CONCEALED_LEADER_ID);
  });

  it('leaves alone what names someone else', () => {
    expect(concealLeader(byColleague, inspector)).toBe(byColleague);
    const other = event(
      'walk.checked',
      { walkId, itemId: newId(), result: 'na', note: '' },
      4,
      null,
    );
    expect(concealLeader(other, inspector)).toBe(other);
  });

  it('folds the placeholder until walk.published names the inspector, in any order', () => {
    const hidden = [started, checked, byColleague].map((e) => concealLeader(e, inspector));
    const before = foldWalks(hidden)[walkId]!;
    expect(before.leaderId).toBe(CONCEALED_LEADER_ID);
    expect(isConcealed(before)).toBe(true);
    const after = foldWalks([published, ...hidden].reverse())[walkId]!;
    expect(after.leaderId).toBe(inspector);
    expect(after.publishedAt).toBe(published.at);
    expect(isConcealed(after)).toBe(false);
    // The server's fold of the true events is the same.
    expect(foldWalks([started, checked, byColleague, published])[walkId]).toEqual(after);
    // An announced walk is never concealed.
    expect(isConcealed({ mode: 'simulate' })).toBe(false);
  });
});
