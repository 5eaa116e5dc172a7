/** Push and pull of device logs (design §4). */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { EventHeadSchema, type ValidEvent } from '../../domain/events';
import { isUuidV7 } from '../../domain/ids';
import { isOwnUnlinked, problemIdOf } from '../../domain/links';
import { concealLeader, walkIdOf } from '../../domain/walk';
import {
  MAX_PUSH_EVENTS,
  PULL_PAGE,
  type EventOutcome,
  type PulledEvent,
  type PullResponse,
  type PushResponse,
} from '../../sync/protocol';
import type { DeviceHealth } from '../../sync/report-protocol';
import { HttpError, badRequest } from '../errors';
import { lockAndAdvanceDeviceLog, saveHealth, type DeviceRow } from '../repos/devices';
import { findRejected, pullEvents } from '../repos/events';
import { lockHall } from '../repos/halls';
import { isoAt } from '../repos/util';
import { ingestEvents, prepareEvents, type EventHead, type Prepared } from './ingest';
import { readEvaluatorSpan } from './rating-flags';

const PushSchema = v.object({
  deviceId: v.custom<string>(isUuidV7, 'must be a UUIDv7'),
  events: v.pipe(
    v.array(EventHeadSchema),
    v.minLength(1, 'must hold at least one event'),
    v.maxLength(MAX_PUSH_EVENTS, `must hold at most ${MAX_PUSH_EVENTS} events`),
  ),
  pending: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1))),
  // Checked on its own (healthOf): a bad report is left out, never the reason to refuse a push.
  health: v.optional(v.unknown()),
});

const bytes = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 53 - 1)));
const HealthSchema = v.object({
  storageUsage: bytes,
  storageQuota: bytes,
  persisted: v.nullable(v.boolean()),
  appVersion: v.pipe(v.string(), v.maxLength(100)),
});

/** The health a push reports, or null when it reports none or one that is not well-formed. */
export function healthOf(value: unknown): DeviceHealth | null {
  const parsed = v.safeParse(HealthSchema, value);
  return parsed.success ? parsed.output : null;
}

export type Issue = { path: string; code: string; message: string };

function schemaIssues(issues: readonly v.BaseIssue<unknown>[]): Issue[] {
  return issues.slice(0, 20).map((i) => {
    const path = v.getDotPath(i) ?? '';
    return {
      path,
      code: i.input === undefined ? 'missing' : `invalid_${i.type}`,
      message: `${path || 'body'}: ${i.message}`,
    };
  });
}

/**
 * Check a batch's shape before anything is written: every event has a head (id, deviceId, seq)
 * on this device, in consecutive order.
 */
export function checkBatch(
  body: unknown,
  deviceId: string,
): { deviceId: string; events: EventHead[]; pending?: number; health?: unknown } {
  const parsed = v.safeParse(PushSchema, body);
  if (!parsed.success) {
    throw badRequest('invalid_batch', 'The push body is not a valid batch of events.', {
      issues: schemaIssues(parsed.issues),
    });
  }
  const batch = parsed.output;
  const issues: Issue[] = [];
  if (batch.deviceId !== deviceId) {
    issues.push({
      path: 'deviceId',
      code: 'wrong_device',
      message: 'deviceId: is not the device of this token',
    });
  }
  const first = batch.events[0]!.deviceSeq;
  batch.events.forEach((e, i) => {
    if (e.deviceId !== batch.deviceId) {
      issues.push({
        path: `events.${i}.deviceId`,
        code: 'wrong_device',
        message: `events.${i}.deviceId: is not the pushing device`,
      });
    }
    if (e.deviceSeq !== first + i) {
      issues.push({
        path: `events.${i}.deviceSeq`,
        code: 'not_consecutive',
        message: `events.${i}.deviceSeq: expected ${first + i}, the sequence numbers must be consecutive`,
      });
    }
  });
  if (issues.length > 0) {
    throw badRequest(issues[0]!.code, 'The batch is not consecutive events of this device.', {
      issues: issues.slice(0, 20),
    });
  }
  return { ...batch, events: batch.events as EventHead[] };
}

/** The answers to events the device sent before: what the server decided then. */
async function replayOutcomes(
  tx: Db,
  deviceId: string,
  events: readonly EventHead[],
): Promise<EventOutcome[]> {
  const refusals = await findRejected(
    tx,
    events.map((e) => e.id),
  );
  return events.map((e): EventOutcome => {
    const rejected = refusals.get(e.id);
    if (rejected && rejected.deviceId === deviceId) {
      return {
        id: e.id,
        deviceSeq: e.deviceSeq,
        status: 'rejected',
        reason: rejected.reason,
        message: rejected.message,
      };
    }
    return { id: e.id, deviceSeq: e.deviceSeq, status: 'duplicate' };
  });
}

/** The times (ms) of the ratings among these events that count toward an evaluator's bursts. */
function evaluatorTimes(prepared: readonly Prepared[]): number[] {
  return prepared.flatMap(({ validation }) => {
    if (!validation.ok || validation.value.type !== 'rating.submitted') return [];
    const { payload, at } = validation.value as ValidEvent<'rating.submitted'>;
    return payload.phoneId === null && !payload.repeatOf ? [Date.parse(at)] : [];
  });
}

/**
 * Store a batch of a device's log in one transaction: events it sent before are answered from
 * what was decided then, the new ones are decided and written together (see ingest.ts).
 */
export async function push(
  db: Db,
  device: DeviceRow,
  body: unknown,
  now: () => number,
): Promise<PushResponse> {
  const batch = checkBatch(body, device.id);
  // Hashing and validating need no lock: done before the transaction, for every event sent.
  const prepared = new Map(
    prepareEvents(batch.events).map((p, i) => [batch.events[i]!, p] as const),
  );
  // The head the batch ends on: its hash is known from the events alone.
  const end = batch.events.at(-1)!;
  const batchEnd = { lastSeq: end.deviceSeq, lastHash: prepared.get(end)!.hash };
  return db.tx(async (tx) => {
    // The device's row is locked and its head moved to the batch's end in one statement, before
    // the hall lock, which is then held for the hall's part only; a refusal below rolls it back.
    const row = await lockAndAdvanceDeviceLog(tx, device.id, batchEnd, isoAt(now()), batch.pending);
    if (!row) throw new HttpError(401, 'unauthorized', 'This device is not enrolled.');
    if (row.revokedAt) throw new HttpError(403, 'revoked', 'This device has been revoked.');
    const seen = batch.events.filter((e) => e.deviceSeq <= row.lastSeq);
    const fresh = batch.events.filter((e) => e.deviceSeq > row.lastSeq);
    if (fresh.length > 0 && fresh[0]!.deviceSeq !== row.lastSeq + 1) {
      throw new HttpError(
        409,
        'gap',
        `The batch starts after a gap: the server has up to ${row.lastSeq}.`,
        {
          lastSeq: row.lastSeq,
        },
      );
    }
    const results = seen.length > 0 ? await replayOutcomes(tx, row.id, seen) : [];
    const head = fresh.length > 0 ? batchEnd : { lastSeq: row.lastSeq, lastHash: row.lastHash };
    const health = healthOf(batch.health);
    if (health) await saveHealth(tx, row.id, health, isoAt(now()));
    if (fresh.length > 0) {
      const preparedFresh = fresh.map((e) => prepared.get(e)!);
      // The device's own ratings around these, for the burst check, need no hall lock either.
      const storedSpan = await readEvaluatorSpan(tx, row.id, evaluatorTimes(preparedFresh));
      await lockHall(tx, row.hallId);
      const ingested = await ingestEvents(tx, row, fresh, {
        now: now(),
        lastHash: row.lastHash,
        checkChain: true,
        prepared: preparedFresh,
        storedSpan,
      });
      for (const { outcome } of ingested) results.push(outcome);
    }
    return { serverTime: isoAt(now()), lastSeq: head.lastSeq, results };
  });
}

export function parsePullQuery(query: { after?: unknown; limit?: unknown }): {
  after: number;
  limit: number;
} {
  const int = (value: unknown, name: string, fallback: number, min: number): number => {
    if (value === undefined || value === '') return fallback;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      throw badRequest('invalid_query', `${name} must be a whole number of at least ${min}.`);
    }
    return n;
  };
  return {
    after: int(query.after, 'after', 0, 0),
    limit: Math.min(int(query.limit, 'limit', PULL_PAGE, 1), PULL_PAGE),
  };
}

/** An unannounced inspection not yet published: who inspected, and the tablet that recorded it. */
interface ConcealedWalk {
  leaderId: string;
  deviceId: string;
}

/**
 * The concealed walks a page of events belongs to, by walk id, and the walk of each of its
 * findings, by problem id: unannounced, of the hall, and not yet published.
 */
async function concealedWalks(
  db: Db,
  hallId: string,
  events: readonly PulledEvent[],
): Promise<{ walks: Map<string, ConcealedWalk>; findings: Map<string, string> }> {
  const walkIds = new Set(events.flatMap((e) => walkIdOf(e) ?? []));
  const problemIds = new Set(events.flatMap((e) => problemIdOf(e) ?? []));
  const findings = new Map<string, string>();
  if (problemIds.size > 0) {
    const rows = await db.query<{ id: string; walkId: string }>(
      `SELECT id, walk_id AS "walkId" FROM problems
       WHERE id = ANY($1::text[]) AND hall_id = $2 AND walk_id IS NOT NULL`,
      [[...problemIds], hallId],
    );
    for (const r of rows) {
      findings.set(r.id, r.walkId);
      walkIds.add(r.walkId);
    }
  }
  const walks = new Map<string, ConcealedWalk>();
  if (walkIds.size > 0) {
    const rows = await db.query<{ id: string; leaderId: string; deviceId: string }>(
      `SELECT id, leader_id AS "leaderId", device_id AS "deviceId" FROM walks
       WHERE id = ANY($1::text[]) AND hall_id = $2 AND mode = 'unannounced'
         AND published_at IS NULL`,
      [[...walkIds], hallId],
    );
    for (const r of rows) walks.set(r.id, { leaderId: r.leaderId, deviceId: r.deviceId });
  }
  return { walks, findings };
}

/**
 * A page as the pulling device may see it: the events of an unannounced inspection not yet
 * published, and of its findings, name the inspector only to the tablet that recorded the walk
 * (and in the events a device wrote itself); to every other device the inspector is the reserved
 * placeholder. The stored events are not changed.
 */
export async function concealInspectors(
  db: Db,
  device: Pick<DeviceRow, 'id' | 'hallId'>,
  events: PulledEvent[],
): Promise<PulledEvent[]> {
  const { walks, findings } = await concealedWalks(db, device.hallId, events);
  if (walks.size === 0) return events;
  return events.map((e) => {
    if (e.deviceId === device.id) return e;
    const problemId = problemIdOf(e);
    const walkId = walkIdOf(e) ?? (problemId === null ? undefined : findings.get(problemId));
    const walk = walkId === undefined ? undefined : walks.get(walkId);
    if (!walk || walk.deviceId === device.id) return e;
    return concealLeader(e, walk.leaderId);
  });
}

export async function pull(
  db: Db,
  device: DeviceRow,
  query: { after?: unknown; limit?: unknown },
  now: () => number,
): Promise<PullResponse> {
  const { after, limit } = parsePullQuery(query);
  const page = await pullEvents(db, device.hallId, after, limit);
  const last = page.events[page.events.length - 1];
  // The device's own events that nothing on it reads back are left out (its log holds them);
  // the cursor still moves past them.
  const sent = page.events.filter((e) => !isOwnUnlinked(e, device.id));
  return {
    serverTime: isoAt(now()),
    events: await concealInspectors(db, device, sent),
    cursor: last ? last.hallSeq : after,
    more: page.more,
    device: { name: device.name, windowId: device.windowId },
  };
}
