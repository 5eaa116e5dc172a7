/**
 * Walks (局长走流程 / 暗访), findings and the problem pipeline on a device: their events written
 * into the own log together with the photos they name and the folds they change, one read-write
 * transaction per action; and the problems and walks as folded here from the pulled hall events
 * and the own events not pulled back yet.
 */
import type { EventEnvelope } from '../domain/events';
import type { Id } from '../domain/ids';
import Dexie from 'dexie';
import type { ProblemQuery } from '../app/device-api';
import { foldProblems, type Problem } from '../domain/problem';
import {
  CONCEALED_LEADER_ID,
  foldWalks,
  namesConcealedLeader,
  revealLeader,
  type Walk,
} from '../domain/walk';
import { appendEvents, type Draft, type Writer } from './append';
import { touched, type HallKioskDb, type PhotoRow } from './db';
import { InvalidRecordError, toWriteError } from './errors';
import type { WriteClock } from './rating-repository';

export type { Draft, Writer };

export type { ProblemQuery };

/**
 * Re-fold the problems and walks among the ids given from every event of theirs this device
 * holds, each event once: the pulled copy (carrying the hlc the server stored, clamped if the
 * device's clock ran ahead) where there is one, else the own copy not pulled back yet, so this
 * device folds the same events the same way as the server and every other device. Call inside a
 * transaction over log, hallEvents, problems and walks.
 */
export async function refoldPipeline(
  db: HallKioskDb,
  problemIds: Iterable<Id>,
  walkIds: Iterable<Id>,
): Promise<void> {
  const problems = new Set(problemIds);
  const walks = [...new Set(walkIds)];
  if (walks.length > 0) {
    const events = await eventsOf(db, 'walkId', walks);
    const folded = foldWalks(events);
    const rows = walks.map((id) => folded[id]).filter((w) => w !== undefined);
    if (rows.length > 0) await db.walks.bulkPut(rows);
    // A published unannounced inspection: its findings learn their inspector too.
    const published = rows.filter((w) => w.publishedAt !== undefined).map((w) => w.id);
    if (published.length > 0) {
      const findings = await db.problems.where('walkId').anyOf(published).primaryKeys();
      for (const id of findings) problems.add(id);
    }
  }
  if (problems.size > 0) {
    const ids = [...problems];
    const events = await eventsOf(db, 'problemId', ids);
    const folded = foldProblems(events);
    const rows = ids.map((id) => folded[id]).filter((p) => p !== undefined);
    if (rows.length > 0) await db.problems.bulkPut(await withInspectors(db, rows));
  }
}

/** Findings handed over while their walk was concealed, with the inspector once it is published. */
async function withInspectors(db: HallKioskDb, problems: Problem[]): Promise<Problem[]> {
  const concealed = problems.filter((p) => p.walkId !== null && namesConcealedLeader(p));
  if (concealed.length === 0) return problems;
  const walks = await db.walks.bulkGet([...new Set(concealed.map((p) => p.walkId!))]);
  const leaders = new Map<Id, Id>();
  for (const w of walks) {
    if (w && w.publishedAt !== undefined && w.leaderId !== CONCEALED_LEADER_ID)
      leaders.set(w.id, w.leaderId);
  }
  return problems.map((p) => {
    const leaderId = p.walkId === null ? undefined : leaders.get(p.walkId);
    return leaderId ? revealLeader(p, leaderId) : p;
  });
}

async function eventsOf(
  db: HallKioskDb,
  index: 'problemId' | 'walkId',
  ids: Id[],
): Promise<EventEnvelope[]> {
  const [own, pulled] = await Promise.all([
    db.log.where(index).anyOf(ids).toArray(),
    db.hallEvents.where(index).anyOf(ids).toArray(),
  ]);
  const byId = new Map<Id, EventEnvelope>();
  for (const row of own) if (row.status !== 'rejected') byId.set(row.id, row.event);
  for (const row of pulled) {
    if (row.valid) byId.set(row.id, row.event);
    // The server refused it for everyone: it is not part of the fold here either.
    else byId.delete(row.id);
  }
  return [...byId.values()];
}

/**
 * Fold every problem and walk this device holds events of, once: a store opened by an inspection
 * tablet for the first time (fresh, or upgraded from a version that did not fold) catches up.
 */
export async function foldAllOnce(db: HallKioskDb): Promise<void> {
  await db.transaction('rw', [db.log, db.meta, db.hallEvents, db.problems, db.walks], async () => {
    if (await db.getMeta('pipelineFolded')) return;
    const ids = async (index: 'problemId' | 'walkId') => [
      ...(await db.log.orderBy(index).uniqueKeys()),
      ...(await db.hallEvents.orderBy(index).uniqueKeys()),
    ];
    await refoldPipeline(db, (await ids('problemId')) as Id[], (await ids('walkId')) as Id[]);
    await db.putMeta('pipelineFolded', true);
  });
}

const byRecordedDesc = (a: Problem, b: Problem) =>
  b.recordedHlc.localeCompare(a.recordedHlc) || b.id.localeCompare(a.id);
const byStartedDesc = (a: Walk, b: Walk) =>
  b.startedHlc.localeCompare(a.startedHlc) || b.id.localeCompare(a.id);

export class PipelineRepository {
  constructor(
    private readonly db: HallKioskDb,
    private readonly clock: WriteClock,
  ) {}

  /**
   * Append events (walk.*, problem.*) and store the photos they name, in ONE strict-durability
   * transaction, then re-fold what they touch in it too. A failure leaves neither the events nor
   * the photos. Rejects with InvalidRecordError or WriteError (`storage_full`, …).
   */
  async write(
    writer: Writer,
    actorId: Id | null,
    drafts: readonly Draft[],
    photos: readonly PhotoRow[] = [],
  ): Promise<EventEnvelope[]> {
    const { db } = this;
    try {
      return await db.transaction(
        'rw',
        [db.log, db.meta, db.hallEvents, db.problems, db.walks, db.photos],
        async () => {
          // A photo already held (taken twice, or on an earlier finding) keeps its upload state.
          const held = new Set(
            (await db.photos.bulkGet(photos.map((p) => p.sha256)))
              .filter((p) => p !== undefined)
              .map((p) => p.sha256),
          );
          const fresh = new Map<string, PhotoRow>();
          for (const p of photos) if (!held.has(p.sha256)) fresh.set(p.sha256, p);
          if (fresh.size > 0) await db.photos.bulkAdd([...fresh.values()]);
          const events = await appendEvents(db, writer, this.clock, actorId, drafts);
          const links = await db.log.bulkGet(events.map((e) => e.deviceSeq));
          const { problemIds, walkIds } = touched(links.filter((l) => l !== undefined));
          await refoldPipeline(db, problemIds, walkIds);
          return events;
        },
      );
    } catch (error) {
      if (error instanceof InvalidRecordError) throw error;
      throw toWriteError(error);
    }
  }

  /**
   * Problems this device knows, newest first: all of them, or one page of those `query` matches
   * (read newest first through the `recordedHlc` or `[status+recordedHlc]` index, stopping once
   * the page is full).
   */
  async problems(query: ProblemQuery = {}): Promise<Problem[]> {
    const { limit, status, departmentId } = query;
    if (limit === undefined && !status && !departmentId)
      return (await this.db.problems.toArray()).sort(byRecordedDesc);
    // One status: through its own index; otherwise every problem, newest first.
    let rows = status
      ? this.db.problems
          .where('[status+recordedHlc]')
          .between([status, Dexie.minKey], [status, Dexie.maxKey])
          .reverse()
      : this.db.problems.orderBy('recordedHlc').reverse();
    if (departmentId)
      rows = rows.filter(
        (p) => p.departmentId === departmentId || p.assignee?.departmentId === departmentId,
      );
    if (limit !== undefined) rows = rows.limit(limit);
    // Problems recorded at the same hlc (rare) keep the list's order: by id, newest first.
    return (await rows.toArray()).sort(byRecordedDesc);
  }

  problem(id: Id): Promise<Problem | undefined> {
    return this.db.problems.get(id);
  }

  /** A walk's findings (the problems recorded with its id), oldest first. */
  async findings(walkId: Id): Promise<Problem[]> {
    const rows = await this.db.problems.where('walkId').equals(walkId).toArray();
    return rows.sort(byRecordedDesc).reverse();
  }

  /** Every walk this device knows, newest first. */
  async walks(): Promise<Walk[]> {
    return (await this.db.walks.toArray()).sort(byStartedDesc);
  }

  walk(id: Id): Promise<Walk | undefined> {
    return this.db.walks.get(id);
  }
}
