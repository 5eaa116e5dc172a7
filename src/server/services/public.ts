/** What a citizen's phone may do without an account: read a window card, send its ratings. */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { EventHeadSchema } from '../../domain/events';
import { isUuidV7 } from '../../domain/ids';
import { citizenProgress, type Problem } from '../../domain/problem';
import { RATING_LEVELS, isPoorRating, type RatingLevel } from '../../domain/rating';
import { PUBLIC_RATING_LIMITS, type PublicRatingLimits } from '../../domain/rating-integrity';
import {
  MAX_PROGRESS_RATINGS,
  type PublicProgressItem,
  type PublicProgressResponse,
} from '../../sync/pipeline-protocol';
import {
  MAX_PUSH_EVENTS,
  type PublicRatingsResponse,
  type PublicWindowResponse,
} from '../../sync/protocol';
import { verifyWindowSig } from '../crypto';
import { HttpError, badRequest, notFound } from '../errors';
import { advanceDeviceLog, ensureDevice, lockDevice } from '../repos/devices';
import { getHall, lockHall, type HallRow } from '../repos/halls';
import { getDepartment, getSettings, getWindowByCode, type WindowRow } from '../repos/reference';
import { iso, isoAt } from '../repos/util';
import { ingestEvents, type EventHead } from './ingest';
import {
  checkPublicLimits,
  flagRateLimited,
  hashAddress,
  rateLimited,
  type LimitHit,
} from './rating-flags';

/** The window a card names, if its signature is the hall's: 404 unknown_window, 403 bad_signature. */
export async function windowOfCard(
  db: Db,
  code: string,
  sig: unknown,
): Promise<{ window: WindowRow; hall: HallRow }> {
  const window = await getWindowByCode(db, code);
  const hall = window ? await getHall(db, window.hallId) : null;
  if (!window || !hall || !window.active)
    throw notFound('unknown_window', 'There is no such window.');
  if (!verifyWindowSig(hall.secret, window.code, sig)) {
    throw new HttpError(403, 'bad_signature', 'The rating card signature is not valid.');
  }
  return { window, hall };
}

export async function publicWindow(
  db: Db,
  code: string,
  sig: unknown,
  now: number,
): Promise<PublicWindowResponse> {
  const { window, hall } = await windowOfCard(db, code, sig);
  const department = await getDepartment(db, window.departmentId);
  if (!department) throw notFound('unknown_window', 'There is no such window.');
  const { settings } = await getSettings(db, hall.id);
  return {
    hallId: hall.id,
    hallName: hall.name,
    ...(hall.nameEn ? { hallNameEn: hall.nameEn } : {}),
    window: {
      id: window.id,
      code: window.code,
      name: window.name,
      ...(window.nameEn ? { nameEn: window.nameEn } : {}),
    },
    department: {
      id: department.id,
      code: department.code,
      name: department.name,
      ...(department.nameEn ? { nameEn: department.nameEn } : {}),
    },
    settings: { phoneRatingIntervalMinutes: settings.phoneRatingIntervalMinutes },
    serverTime: isoAt(now),
  };
}

const PublicRatingsSchema = v.object({
  windowCode: v.pipe(v.string(), v.maxLength(32)),
  sig: v.pipe(v.string(), v.maxLength(64)),
  events: v.pipe(
    v.array(EventHeadSchema),
    v.minLength(1, 'must hold at least one event'),
    v.maxLength(MAX_PUSH_EVENTS, `must hold at most ${MAX_PUSH_EVENTS} events`),
  ),
});

/**
 * Store a phone's ratings for one window card. Idempotent by event id; a phone's log is kept
 * (last seq and hash) but never refused for a gap, since a phone may lose its storage.
 *
 * A request from an address (`from.address`, the route's) is held to the limits per address and
 * per window (429 rate_limited, and a flag); the address is kept only as a keyed hash.
 */
export async function submitPublicRatings(
  db: Db,
  body: unknown,
  now: () => number,
  from: { address?: string; limits?: PublicRatingLimits } = {},
): Promise<PublicRatingsResponse> {
  const parsed = v.safeParse(PublicRatingsSchema, body);
  if (!parsed.success) {
    throw badRequest('invalid_batch', 'The body is not a valid batch of ratings.', {
      issues: parsed.issues.slice(0, 20).map((i) => {
        const path = v.getDotPath(i) ?? '';
        return { path, code: `invalid_${i.type}`, message: `${path || 'body'}: ${i.message}` };
      }),
    });
  }
  const { windowCode, sig } = parsed.output;
  const events = parsed.output.events as EventHead[];
  const phoneId = events[0]!.deviceId;
  if (events.some((e) => e.deviceId !== phoneId)) {
    throw badRequest('wrong_device', 'All events of one request must come from one phone.');
  }
  const { window, hall } = await windowOfCard(db, windowCode, sig);
  const addressHash = from.address === undefined ? null : hashAddress(hall.secret, from.address);
  // The limits hold back requests from the network; the server's own loaders (demo history)
  // send without an address.
  const limits = from.address === undefined ? null : (from.limits ?? PUBLIC_RATING_LIMITS);
  const eventIds = events.map((e) => e.id);
  const answer = await db.tx(async (tx): Promise<PublicRatingsResponse | LimitHit> => {
    const at = now();
    // The hall first: a new phone's row takes a share lock on its hall (the foreign key), so two
    // new phones locking the hall after inserting themselves would deadlock each other.
    await lockHall(tx, hall.id);
    await ensureDevice(tx, {
      id: phoneId,
      hallId: hall.id,
      role: 'phone',
      windowId: null,
      name: null,
      tokenHash: null,
      enrolledAt: isoAt(at),
    });
    const phone = await lockDevice(tx, phoneId);
    if (!phone) throw new Error('phone row vanished');
    // A phone id that names an enrolled device or another hall's phone is not this phone.
    if (phone.role !== 'phone' || phone.hallId !== hall.id) {
      throw badRequest('wrong_device', 'This id is not a phone of this hall.');
    }
    // The limits, counted under the hall lock from the ratings taken, in every server process.
    const hit =
      limits &&
      (await checkPublicLimits(tx, {
        hallId: hall.id,
        windowId: window.id,
        addressHash,
        eventIds,
        limits,
        now: at,
      }));
    if (hit) return hit;
    const writer = { id: phone.id, hallId: hall.id, role: 'phone' as const, windowId: null };
    const sorted = [...events].sort((a, b) => a.deviceSeq - b.deviceSeq);
    const ingested = await ingestEvents(tx, writer, sorted, {
      now: at,
      lastHash: phone.lastHash,
      checkChain: false,
      cardWindowId: window.id,
      answerKnown: true,
      addressHash,
    });
    let head = { lastSeq: phone.lastSeq, lastHash: phone.lastHash };
    ingested.forEach(({ decided, hash }, i) => {
      const { deviceSeq } = sorted[i]!;
      if (decided && deviceSeq >= head.lastSeq) head = { lastSeq: deviceSeq, lastHash: hash };
    });
    await advanceDeviceLog(tx, phone.id, head, isoAt(at));
    return { serverTime: isoAt(now()), results: ingested.map((r) => r.outcome) };
  });
  if ('results' in answer) return answer;
  // Refused whole: the phone keeps its ratings and sends them again; the console sees the flag.
  await flagRateLimited(db, hall.id, answer, eventIds, now());
  throw rateLimited(answer);
}

const progressId = v.custom<string>(isUuidV7, 'must be a UUIDv7');
const PublicProgressSchema = v.object({
  phoneId: progressId,
  ratingIds: v.pipe(
    v.array(progressId),
    v.maxLength(MAX_PROGRESS_RATINGS, `must hold at most ${MAX_PROGRESS_RATINGS} ids`),
  ),
});

/**
 * POST /public/progress: where the 差评 a phone gave stand (受理 → 整改 → 回访). Only ratings
 * given from that phone are answered, and only what the citizen may see: no staff, no notes.
 */
export async function publicProgress(
  db: Db,
  body: unknown,
  now: number,
): Promise<PublicProgressResponse> {
  const parsed = v.safeParse(PublicProgressSchema, body);
  if (!parsed.success) {
    const tooMany = parsed.issues.some((i) => i.type === 'max_length');
    throw badRequest(
      tooMany ? 'too_many_ratings' : 'invalid_progress_request',
      tooMany
        ? `Ask about at most ${MAX_PROGRESS_RATINGS} ratings at once.`
        : 'Expected { phoneId, ratingIds } with UUIDv7 ids.',
      {
        issues: parsed.issues.slice(0, 20).map((i) => {
          const path = v.getDotPath(i) ?? '';
          return { path, code: `invalid_${i.type}`, message: `${path || 'body'}: ${i.message}` };
        }),
      },
    );
  }
  const { phoneId, ratingIds } = parsed.output;
  const poor = RATING_LEVELS.filter(isPoorRating);
  const rows =
    ratingIds.length === 0
      ? []
      : await db.query<{
          ratingId: string;
          at: Date | string;
          level: RatingLevel;
          windowCode: string;
          windowName: string;
          windowNameEn: string | null;
          departmentName: string;
          departmentNameEn: string | null;
          state: Problem | string;
        }>(
          `SELECT r.event_id AS "ratingId", r.at, r.level, w.code AS "windowCode",
             w.name AS "windowName", w.name_en AS "windowNameEn", d.name AS "departmentName",
             d.name_en AS "departmentNameEn", p.state
           FROM ratings r
           JOIN problems p ON p.id = r.event_id AND p.state IS NOT NULL
           JOIN windows w ON w.id = r.window_id
           JOIN departments d ON d.id = r.department_id
           WHERE r.event_id = ANY($1::text[]) AND r.phone_id = $2 AND r.level = ANY($3::text[])
           ORDER BY r.at DESC, r.event_id`,
          [[...new Set(ratingIds)], phoneId, poor],
        );
  const items = rows.map((r): PublicProgressItem => ({
    ratingId: r.ratingId,
    at: iso(r.at),
    level: r.level,
    window: {
      code: r.windowCode,
      name: r.windowName,
      ...(r.windowNameEn !== null ? { nameEn: r.windowNameEn } : {}),
    },
    department: {
      name: r.departmentName,
      ...(r.departmentNameEn !== null ? { nameEn: r.departmentNameEn } : {}),
    },
    progress: citizenProgress(typeof r.state === 'string' ? JSON.parse(r.state) : r.state),
  }));
  return { items, serverTime: isoAt(now) };
}
