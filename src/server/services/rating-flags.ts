/**
 * Rating integrity on the server: bursts of ratings found as they arrive and flagged with their
 * evidence for the console, never deleted (the ratings stay counted: a flag is for people to
 * judge); the public endpoint's limits, counted from the ratings taken so they hold across server
 * processes; and the console's review of flags and of the repeated presses kept for audit.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../db/db';
import { newId } from '../../domain/ids';
import type { RatingLevel } from '../../domain/rating';
import {
  ADDRESS_BURST,
  EVALUATOR_BURST,
  PHONE_BURST,
  findBurst,
  type Burst,
  type BurstRule,
  type PublicRatingLimits,
  type RatingFlagKind,
  type RatingFlagVerdict,
} from '../../domain/rating-integrity';
import type {
  RatingExtraItem,
  RatingExtrasResponse,
  RatingFlagItem,
  RatingFlagRating,
  RatingFlagsResponse,
} from '../../sync/integrity-protocol';
import { HttpError, notFound } from '../errors';
import { iso, isoAt, json } from '../repos/util';

/** A flag keeps at most this many ratings as evidence; `n` still counts them all. */
export const MAX_EVIDENCE_RATINGS = 200;

/** Seconds a limited phone is asked to wait before sending again. */
export const RATE_LIMIT_RETRY_SECONDS = 60;

/** A keyed hash of a client address (never the address itself), 22 base64url characters. */
export function hashAddress(secret: string, address: string): string {
  return createHmac('sha256', secret)
    .update(`address\0${address}`)
    .digest('base64url')
    .slice(0, 22);
}

/** A counted rating just stored, as burst detection needs it. */
export interface ArrivedRating {
  eventId: string;
  hallId: string;
  deviceId: string;
  windowId: string;
  phoneId: string | null;
  addressHash?: string | null;
  at: string;
  receivedAt: string;
}

interface Source {
  kind: Exclude<RatingFlagKind, 'rate_limited'>;
  /** The new ratings of the subject. */
  arrived: { id: string; atMs: number }[];
  hallId: string;
  subject: string;
  rule: BurstRule;
  /** The time the rule reads: the device's (`at`), or the server's for an address. */
  time: 'at' | 'received_at';
  windowId: string | null;
  times: number[];
}

const SUBJECT_COLUMN = {
  evaluator_burst: 'device_id',
  phone_burst: 'phone_id',
  address_burst: 'address_hash',
} as const;

/** Every burst in the ratings, one after another (a burst's ratings are in no later one). */
export function findBursts(
  ratings: readonly { id: string; atMs: number }[],
  rule: BurstRule,
): Burst[] {
  const bursts: Burst[] = [];
  let rest = [...ratings];
  for (;;) {
    const burst = findBurst(rest, rule.max, rule.spanMs);
    if (!burst) return bursts;
    bursts.push(burst);
    rest = rest.filter((r) => r.atMs > burst.lastAtMs);
  }
}

/** Most ratings one burst check reads of a subject. */
const BURST_READ_LIMIT = 5000;

/** An evaluator's stored ratings over a span of time, read before its new ones were decided. */
export interface StoredSpan {
  deviceId: string;
  from: number;
  to: number;
  ratings: { id: string; atMs: number }[];
}

/**
 * Read an evaluator's stored ratings around the times (ms) of the ratings it is sending, before
 * they are decided: {@link flagBursts} then adds the stored ones to them instead of reading again
 * after they are written. Only the device's own pushes write its ratings, so while its row is
 * locked this is what the read after the write would find besides the new ones. Null when there
 * is nothing to read, or too much (the check then reads after the write, as for any subject).
 */
export async function readEvaluatorSpan(
  tx: Db,
  deviceId: string,
  times: readonly number[],
): Promise<StoredSpan | null> {
  if (times.length === 0) return null;
  const from = times.reduce((a, b) => Math.min(a, b)) - EVALUATOR_BURST.spanMs;
  const to = times.reduce((a, b) => Math.max(a, b)) + EVALUATOR_BURST.spanMs;
  const rows = await readSubject(tx, 'evaluator_burst', 'at', deviceId, from, to);
  if (rows.length >= BURST_READ_LIMIT) return null;
  return { deviceId, from, to, ratings: rows };
}

async function readSubject(
  tx: Db,
  kind: Source['kind'],
  time: Source['time'],
  subject: string,
  from: number,
  to: number,
): Promise<{ id: string; atMs: number }[]> {
  const rows = await tx.query<{ id: string; t: Date | string }>(
    `SELECT event_id AS id, ${time} AS t FROM ratings
     WHERE ${SUBJECT_COLUMN[kind]} = $1 AND ${time} >= $2 AND ${time} <= $3
     ORDER BY ${time}, event_id LIMIT ${BURST_READ_LIMIT}`,
    [subject, isoAt(from), isoAt(to)],
  );
  return rows.map((r) => ({ id: r.id, atMs: Date.parse(iso(r.t)) }));
}

/**
 * Look for bursts around the ratings a batch just stored: one bounded read per source (the
 * evaluator, the phone, the address) over the span of the batch widened by the rule's span, and
 * flag what it finds. A flag that the new ratings overlap grows (n, last time, evidence); a
 * reviewed one that grows is open again, since there is more to judge. An evaluator's stored
 * ratings read before the batch was decided (`stored`, {@link readEvaluatorSpan}) are used
 * instead of a read when they cover the span.
 */
export async function flagBursts(
  tx: Db,
  arrived: readonly ArrivedRating[],
  now: number,
  stored: StoredSpan | null = null,
): Promise<number> {
  const sources = new Map<string, Source>();
  const add = (
    kind: Source['kind'],
    r: ArrivedRating,
    subject: string,
    rule: BurstRule,
    time: Source['time'],
  ) => {
    const key = `${kind}\0${subject}`;
    const atMs = Date.parse(time === 'at' ? r.at : r.receivedAt);
    const s = sources.get(key);
    if (s) {
      s.times.push(atMs);
      s.arrived.push({ id: r.eventId, atMs });
    } else {
      sources.set(key, {
        kind,
        arrived: [{ id: r.eventId, atMs }],
        hallId: r.hallId,
        subject,
        rule,
        time,
        // An evaluator is bound to its window; a phone or an address rates many.
        windowId: kind === 'evaluator_burst' ? r.windowId : null,
        times: [atMs],
      });
    }
  };
  for (const r of arrived) {
    if (r.phoneId === null) add('evaluator_burst', r, r.deviceId, EVALUATOR_BURST, 'at');
    else {
      add('phone_burst', r, r.phoneId, PHONE_BURST, 'at');
      if (r.addressHash) add('address_burst', r, r.addressHash, ADDRESS_BURST, 'received_at');
    }
  }
  let flagged = 0;
  for (const s of sources.values()) {
    const from = Math.min(...s.times) - s.rule.spanMs;
    const to = Math.max(...s.times) + s.rule.spanMs;
    const known =
      stored !== null &&
      s.kind === 'evaluator_burst' &&
      s.subject === stored.deviceId &&
      stored.from <= from &&
      to <= stored.to;
    let ratings = known
      ? [...stored.ratings.filter((r) => r.atMs >= from && r.atMs <= to), ...s.arrived]
      : null;
    if (ratings === null || ratings.length > BURST_READ_LIMIT)
      ratings = await readSubject(tx, s.kind, s.time, s.subject, from, to);
    if (ratings.length <= s.rule.max) continue;
    const timeOf = new Map(ratings.map((r) => [r.id, r.atMs]));
    for (const burst of findBursts(ratings, s.rule)) {
      await upsertBurst(tx, s, burst, timeOf, now);
      flagged++;
    }
  }
  return flagged;
}

interface Evidence {
  ratings: { id: string; at: string }[];
  rule: { max: number; spanMinutes: number };
  time: 'device' | 'server';
}

async function upsertBurst(
  tx: Db,
  s: Source,
  burst: Burst,
  timeOf: ReadonlyMap<string, number>,
  now: number,
): Promise<void> {
  const existing = await tx.query<{
    id: string;
    firstAt: Date | string;
    lastAt: Date | string;
    n: number;
    evidence: Evidence | string;
  }>(
    `SELECT id, first_at AS "firstAt", last_at AS "lastAt", n, evidence FROM rating_flags
     WHERE hall_id = $1 AND kind = $2 AND subject = $3 AND first_at <= $5 AND last_at >= $4
     ORDER BY first_at LIMIT 1`,
    [s.hallId, s.kind, s.subject, isoAt(burst.firstAtMs), isoAt(burst.lastAtMs)],
  );
  const rule = { max: s.rule.max, spanMinutes: s.rule.spanMs / 60_000 };
  const time = s.time === 'at' ? ('device' as const) : ('server' as const);
  const ratings = new Map<string, string>(burst.ids.map((id) => [id, isoAt(timeOf.get(id)!)]));
  const evidenceOf = (): Evidence => ({
    ratings: [...ratings]
      .map(([id, at]) => ({ id, at }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1))
      .slice(0, MAX_EVIDENCE_RATINGS),
    rule,
    time,
  });
  if (existing.length === 0) {
    await tx.query(
      `INSERT INTO rating_flags (id, hall_id, kind, subject, window_id, first_at, last_at, n,
         evidence, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
       ON CONFLICT (hall_id, kind, subject, first_at) DO NOTHING`,
      [
        newId(),
        s.hallId,
        s.kind,
        s.subject,
        s.windowId,
        isoAt(burst.firstAtMs),
        isoAt(burst.lastAtMs),
        burst.n,
        json(evidenceOf()),
        isoAt(now),
      ],
    );
    return;
  }
  const flag = existing[0]!;
  const old: Evidence =
    typeof flag.evidence === 'string' ? (JSON.parse(flag.evidence) as Evidence) : flag.evidence;
  const known = new Set(old.ratings.map((r) => r.id));
  const added = burst.ids.filter((id) => !known.has(id)).length;
  for (const r of old.ratings) ratings.set(r.id, r.at);
  const oldFirst = Date.parse(iso(flag.firstAt));
  const oldLast = Date.parse(iso(flag.lastAt));
  const firstAtMs = Math.min(oldFirst, burst.firstAtMs);
  const lastAtMs = Math.max(oldLast, burst.lastAtMs);
  // Evidence beyond its cap is not kept, so the count grows by what the flag had not seen.
  const n = Math.max(flag.n + (old.ratings.length >= flag.n ? added : 0), burst.n);
  if (n === flag.n && firstAtMs === oldFirst && lastAtMs === oldLast) return;
  await tx.query(
    `UPDATE rating_flags SET first_at = $2, last_at = $3, evidence = $5::jsonb,
       reviewed_at = CASE WHEN $4 > n THEN NULL ELSE reviewed_at END,
       verdict = CASE WHEN $4 > n THEN NULL ELSE verdict END,
       n = $4
     WHERE id = $1`,
    [flag.id, isoAt(firstAtMs), isoAt(lastAtMs), n, json(evidenceOf())],
  );
}

/** Which limit a request ran into. */
export interface LimitHit {
  limit: 'perAddress' | 'perWindow';
  /** `address:<hash>` or `window:<id>`. */
  subject: string;
  windowId: string;
  rule: BurstRule;
  count: number;
}

/**
 * Whether a phone's request bringing new ratings must wait: its address, or the window of its
 * card, already had as many phone ratings within the span as the limits allow. Counted from the
 * stored ratings (server time), so every server process sees the same counts; the caller holds
 * the hall lock. A request that brings nothing new (a resend) is never limited.
 */
export async function checkPublicLimits(
  tx: Db,
  opts: {
    hallId: string;
    windowId: string;
    addressHash: string | null;
    eventIds: readonly string[];
    limits: PublicRatingLimits;
    now: number;
  },
): Promise<LimitHit | null> {
  const { perAddress, perWindow } = opts.limits;
  const [row] = await tx.query<{ known: number; address: number; window: number }>(
    `SELECT
       (SELECT count(*)::int FROM events WHERE id = ANY($1::text[])) AS known,
       (SELECT count(*)::int FROM ratings WHERE $2::text IS NOT NULL AND address_hash = $2
          AND received_at > $3) AS address,
       (SELECT count(*)::int FROM ratings WHERE window_id = $4 AND phone_id IS NOT NULL
          AND received_at > $5) AS window`,
    [
      [...new Set(opts.eventIds)],
      opts.addressHash,
      isoAt(opts.now - perAddress.spanMs),
      opts.windowId,
      isoAt(opts.now - perWindow.spanMs),
    ],
  );
  if (!row || row.known >= new Set(opts.eventIds).size) return null;
  if (opts.addressHash !== null && row.address >= perAddress.max) {
    return {
      limit: 'perAddress',
      subject: `address:${opts.addressHash}`,
      windowId: opts.windowId,
      rule: perAddress,
      count: row.address,
    };
  }
  if (row.window >= perWindow.max) {
    return {
      limit: 'perWindow',
      subject: `window:${opts.windowId}`,
      windowId: opts.windowId,
      rule: perWindow,
      count: row.window,
    };
  }
  return null;
}

/**
 * Note a refused request in a `rate_limited` flag: one flag per subject and span (aligned to the
 * span), counting the requests refused and keeping the ids of the ratings that must come again.
 */
export async function flagRateLimited(
  db: Db,
  hallId: string,
  hit: LimitHit,
  eventIds: readonly string[],
  now: number,
): Promise<void> {
  const firstAt = isoAt(Math.floor(now / hit.rule.spanMs) * hit.rule.spanMs);
  const evidence = {
    limit: hit.limit,
    rule: { max: hit.rule.max, spanMinutes: hit.rule.spanMs / 60_000 },
    counted: hit.count,
    refusedRequests: 1,
    ratings: eventIds.slice(0, 20).map((id) => ({ id, at: isoAt(now) })),
  };
  await db.query(
    `INSERT INTO rating_flags (id, hall_id, kind, subject, window_id, first_at, last_at, n,
       evidence, created_at)
     VALUES ($1, $2, 'rate_limited', $3, $4, $5, $6, 1, $7::jsonb, $6)
     ON CONFLICT (hall_id, kind, subject, first_at) DO UPDATE SET
       last_at = GREATEST(rating_flags.last_at, EXCLUDED.last_at),
       n = rating_flags.n + 1,
       evidence = jsonb_set(
         jsonb_set(rating_flags.evidence, '{refusedRequests}',
           to_jsonb(rating_flags.n + 1)),
         '{counted}', EXCLUDED.evidence -> 'counted')`,
    [newId(), hallId, hit.subject, hit.windowId, firstAt, isoAt(now), json(evidence)],
  );
}

/** A 429 the phone understands: it keeps its ratings and sends them again after Retry-After. */
export function rateLimited(hit: LimitHit): HttpError {
  return new HttpError(
    429,
    'rate_limited',
    hit.limit === 'perAddress'
      ? 'Too many ratings from this address just now; they are kept on the phone and sent later.'
      : 'Too many ratings for this window just now; they are kept on the phone and sent later.',
    { retryAfterSeconds: RATE_LIMIT_RETRY_SECONDS },
  );
}

// ---- The console -------------------------------------------------------------------------

export type { RatingExtraItem, RatingFlagItem, RatingFlagRating, RatingFlagsResponse };

/** A hall's flags, open ones first, then the latest reviewed; each with its ratings. */
export async function listRatingFlags(
  db: Db,
  hallId: string,
  opts: { open?: boolean; limit?: number } = {},
): Promise<RatingFlagsResponse> {
  const rows = await db.query<{
    id: string;
    kind: RatingFlagKind;
    subject: string;
    windowId: string | null;
    windowCode: string | null;
    windowName: string | null;
    firstAt: Date | string;
    lastAt: Date | string;
    n: number;
    evidence: string | Record<string, unknown>;
    createdAt: Date | string;
    reviewedAt: Date | string | null;
    reviewedBy: string | null;
    reviewNote: string | null;
    verdict: RatingFlagVerdict | null;
  }>(
    `SELECT f.id, f.kind, f.subject, f.window_id AS "windowId", w.code AS "windowCode",
       w.name AS "windowName", f.first_at AS "firstAt", f.last_at AS "lastAt", f.n, f.evidence,
       f.created_at AS "createdAt", f.reviewed_at AS "reviewedAt", u.username AS "reviewedBy",
       f.review_note AS "reviewNote", f.verdict
     FROM rating_flags f
       LEFT JOIN windows w ON w.id = f.window_id
       LEFT JOIN admins u ON u.id = f.reviewed_by
     WHERE f.hall_id = $1 AND ($2::boolean IS NOT TRUE OR f.reviewed_at IS NULL)
     ORDER BY (f.reviewed_at IS NULL) DESC, f.last_at DESC, f.id LIMIT $3`,
    [hallId, opts.open ?? null, Math.min(Math.max(opts.limit ?? 100, 1), 500)],
  );
  const evidences = rows.map((r) =>
    typeof r.evidence === 'string'
      ? (JSON.parse(r.evidence) as Record<string, unknown>)
      : r.evidence,
  );
  const ids = [
    ...new Set(
      evidences.flatMap((e) =>
        Array.isArray(e['ratings']) ? (e['ratings'] as { id: string }[]).map((r) => r.id) : [],
      ),
    ),
  ];
  const found =
    ids.length === 0
      ? []
      : await db.query<{
          id: string;
          at: Date | string;
          level: RatingLevel;
          windowCode: string | null;
          windowName: string | null;
          counted: boolean;
        }>(
          `SELECT r.event_id AS id, r.at, r.level, w.code AS "windowCode", w.name AS "windowName",
             true AS counted
           FROM ratings r LEFT JOIN windows w ON w.id = r.window_id
           WHERE r.event_id = ANY($1::text[])
           UNION ALL
           SELECT x.event_id, x.at, x.level, w.code, w.name, false
           FROM rating_extras x LEFT JOIN windows w ON w.id = x.window_id
           WHERE x.event_id = ANY($1::text[])`,
          [ids],
        );
  const byId = new Map(found.map((r) => [r.id, r]));
  return {
    flags: rows.map((r, i): RatingFlagItem => {
      const e = evidences[i]!;
      const listed = Array.isArray(e['ratings'])
        ? (e['ratings'] as { id: string; at: string }[])
        : [];
      const rule = e['rule'] as { max: number; spanMinutes: number } | undefined;
      return {
        id: r.id,
        kind: r.kind,
        subject:
          r.kind === 'address_burst'
            ? `${r.subject.slice(0, 8)}…`
            : r.subject.startsWith('address:')
              ? `address:${r.subject.slice(8, 16)}…`
              : r.subject,
        windowId: r.windowId,
        windowCode: r.windowCode,
        windowName: r.windowName,
        firstAt: iso(r.firstAt),
        lastAt: iso(r.lastAt),
        n: r.n,
        createdAt: iso(r.createdAt),
        reviewedAt: iso(r.reviewedAt),
        reviewedBy: r.reviewedBy,
        reviewNote: r.reviewNote,
        verdict: r.verdict,
        rule: rule ?? null,
        limit: (e['limit'] as 'perAddress' | 'perWindow' | undefined) ?? null,
        ratings: listed.map((x) => {
          const row = byId.get(x.id);
          return row
            ? {
                id: x.id,
                at: iso(row.at),
                level: row.level,
                windowCode: row.windowCode,
                windowName: row.windowName,
                counted: row.counted,
              }
            : {
                id: x.id,
                at: x.at,
                level: null,
                windowCode: null,
                windowName: null,
                counted: false,
              };
        }),
      };
    }),
  };
}

/** Mark a flag reviewed: kept (the ratings stand) or fraud (判定为刷评), with a note. */
export async function reviewRatingFlag(
  db: Db,
  hallId: string,
  id: string,
  review: { verdict: RatingFlagVerdict; note: string },
  by: string,
  now: number,
): Promise<void> {
  const rows = await db.query<{ id: string }>(
    `UPDATE rating_flags SET reviewed_at = $3, reviewed_by = $4, review_note = $5, verdict = $6
     WHERE id = $1 AND hall_id = $2 RETURNING id`,
    [id, hallId, isoAt(now), by, review.note, review.verdict],
  );
  if (rows.length === 0) throw notFound('unknown_flag', 'There is no such flag.');
}

/** The repeated presses kept for audit (never counted), latest first. */
export async function listRatingExtras(
  db: Db,
  hallId: string,
  limit = 200,
): Promise<RatingExtrasResponse> {
  const rows = await db.query<
    Omit<RatingExtraItem, 'at' | 'receivedAt'> & { at: Date | string; receivedAt: Date | string }
  >(
    `SELECT x.event_id AS id, x.at, x.received_at AS "receivedAt", x.level, w.code AS "windowCode",
       w.name AS "windowName", x.device_id AS "deviceId", x.repeat_of AS "repeatOf", x.reason
     FROM rating_extras x LEFT JOIN windows w ON w.id = x.window_id
     WHERE x.hall_id = $1 ORDER BY x.at DESC, x.event_id DESC LIMIT $2`,
    [hallId, Math.min(Math.max(limit, 1), 500)],
  );
  return {
    extras: rows.map((r) => ({ ...r, at: iso(r.at), receivedAt: iso(r.receivedAt) })),
  };
}
