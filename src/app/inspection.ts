/**
 * The inspection tablet (局长走流程 / 暗访, and follow-up of problems) on an enrolled device: PIN
 * sign-in as on the duty kiosk, walks with their checklist marks, findings with photos, and steps
 * along the problem pipeline — all offline. Every action is one strict-durability transaction
 * holding its events and the photos they name; walks and problems are read from their folds, so an
 * unfinished walk survives a reload.
 */
import { holidayCalendar } from '../domain/calendar';
import { checklistInOrder } from '../domain/checklist';
import { mayWrite } from '../domain/device';
import {
  CHECKLIST_GROUPS,
  MAX_PHOTOS,
  type CheckResult,
  type EventEnvelope,
  type Photo,
} from '../domain/events';
import { newId, type Id } from '../domain/ids';
import { pinProof } from '../domain/pin';
import { isOverdue, nextSteps, problemDeadlines, type Problem } from '../domain/problem';
import { normalizeReference, type ChecklistItem, type Leader } from '../domain/reference';
import type { Walk } from '../domain/walk';
import type { PhotoRow } from '../storage/db';
import { PipelineRepository, type Draft, type ProblemQuery } from '../storage/pipeline-repository';
import {
  InspectionError,
  PhotoError,
  SignInError,
  WriteError,
  type FindingInput,
  type Inspection,
  type Inspector,
  type PinLockout,
  type ProblemStepInput,
  type ProblemView,
  type Unsubscribe,
  type WalkInput,
} from './device-api';
import type { EnrolledDevice } from './device';
import { hasLeaderPin, leaderLockout, verifyLeaderPin } from './leader-pin';
import { imageTypeOf, type PreparedPhoto } from './photo';

export { InspectionError };

/** Turns a picked or captured photo into what is stored (src/app/photo.ts in the browser). */
export type PhotoPreparer = (blob: Blob) => Promise<PreparedPhoto>;

interface SignedIn {
  inspector: Inspector;
  /** The leader's PBKDF2 hash, for the walk.started proof: in memory only, never stored. */
  hash: string;
  version: number;
}

/** The inspection tablet API of one enrolled device (see Inspection in device-api.ts). */
export class InspectionTablet implements Inspection {
  #signedIn: SignedIn | null = null;
  readonly #pipeline: PipelineRepository;

  constructor(
    private readonly device: EnrolledDevice,
    private readonly prepare: PhotoPreparer,
  ) {
    this.#pipeline = new PipelineRepository(device.store.db, device.store.clock);
  }

  get #writer() {
    const { hallId, deviceId } = this.device.credentials;
    return { hallId, deviceId };
  }

  get #reference() {
    return normalizeReference(this.device.reference);
  }

  leaders(): Leader[] {
    return Object.values(this.device.reference.leaders).filter((l) => l.active);
  }

  hasPin(leaderId: Id): Promise<boolean> {
    return hasLeaderPin(this.device.store, leaderId);
  }

  lockout(leaderId: Id): Promise<PinLockout> {
    return leaderLockout(this.device.store, leaderId, this.device.now());
  }

  async signIn(leaderId: Id, pin: string): Promise<Inspector> {
    const leader = this.device.reference.leaders[leaderId];
    if (!leader || !leader.active) throw new SignInError('unknown_leader');
    const check = await verifyLeaderPin(this.device.store, leaderId, pin, () => this.device.now());
    const inspector: Inspector = {
      leaderId,
      departmentId: leader.departmentId,
      title: leader.title,
      ...(leader.titleEn ? { titleEn: leader.titleEn } : {}),
    };
    this.#signedIn = { inspector, hash: check.hash, version: check.version };
    this.device.notifyPipeline();
    return inspector;
  }

  signOut(): void {
    this.#signedIn = null;
    this.device.notifyPipeline();
  }

  inspector(): Inspector | null {
    return this.#signedIn?.inspector ?? null;
  }

  checklist(): ChecklistItem[] {
    return checklistInOrder(this.#reference.checklist, CHECKLIST_GROUPS);
  }

  checklistItem(itemId: Id): ChecklistItem | null {
    return this.#reference.checklist[itemId] ?? null;
  }

  async startWalk(input: WalkInput): Promise<Walk> {
    const signedIn = this.#requireInspector();
    const eventId = newId();
    const walkId = newId();
    // As on the duty kiosk: the server checks this proof against its own copy of the PIN hash.
    const proof = await pinProof(signedIn.hash, eventId);
    await this.#write([
      {
        type: 'walk.started',
        id: eventId,
        payload: {
          walkId,
          mode: input.mode,
          leaderId: signedIn.inspector.leaderId,
          departmentId: input.departmentId,
          windowId: input.windowId,
          serviceItem: input.serviceItem.trim(),
          pinVersion: signedIn.version,
          pinProof: proof,
        },
      },
    ]);
    return this.#walkOrFail(walkId);
  }

  async openWalks(): Promise<Walk[]> {
    return (await this.walks()).filter((w) => w.endedAt === null);
  }

  async walks(): Promise<Walk[]> {
    const { deviceId } = this.device.credentials;
    return (await this.#pipeline.walks()).filter((w) => w.deviceId === deviceId);
  }

  async walk(walkId: Id): Promise<Walk | null> {
    return (await this.#pipeline.walk(walkId)) ?? null;
  }

  async check(walkId: Id, itemId: Id, result: CheckResult, note: string): Promise<Walk> {
    this.#requireInspector();
    await this.#openWalk(walkId);
    await this.#write([{ type: 'walk.checked', payload: { walkId, itemId, result, note } }]);
    return this.#walkOrFail(walkId);
  }

  async addFinding(walkId: Id, input: FindingInput): Promise<ProblemView> {
    this.#requireInspector();
    const walk = await this.#openWalk(walkId);
    const { photos, rows } = await this.#photos(input.photos);
    const problemId = newId();
    await this.#write(
      [
        {
          type: 'problem.recorded',
          payload: {
            problemId,
            source: 'walk',
            sourceId: walkId,
            departmentId: walk.departmentId,
            windowId: walk.windowId,
            description: input.description,
            severity: input.severity,
            walkId,
            ...(input.checklistItemId ? { checklistItemId: input.checklistItemId } : {}),
            photos,
          },
        },
      ],
      rows,
    );
    return this.#problemOrFail(problemId);
  }

  async findings(walkId: Id): Promise<ProblemView[]> {
    return (await this.#pipeline.findings(walkId)).map((p) => this.#view(p));
  }

  async endWalk(walkId: Id, summary: string): Promise<Walk> {
    this.#requireInspector();
    await this.#openWalk(walkId);
    await this.#write([{ type: 'walk.ended', payload: { walkId, summary } }]);
    return this.#walkOrFail(walkId);
  }

  async problems(query: ProblemQuery = {}): Promise<ProblemView[]> {
    const problems = await this.#pipeline.problems(query);
    // One calendar for the whole list: building it is the costly part of a deadline.
    const calendar = holidayCalendar(this.#reference.holidays);
    return problems.map((p) => this.#view(p, calendar));
  }

  async problem(problemId: Id): Promise<ProblemView | null> {
    const p = await this.#pipeline.problem(problemId);
    return p ? this.#view(p) : null;
  }

  async step(problemId: Id, input: ProblemStepInput): Promise<ProblemView> {
    this.#requireInspector();
    if (!mayWrite('inspection_tablet', input.type)) throw new InspectionError('not_allowed');
    if (!(await this.#pipeline.problem(problemId))) throw new InspectionError('unknown_problem');
    const carriesPhotos =
      input.type === 'problem.statusChanged' || input.type === 'problem.commented';
    const { photos, rows } = carriesPhotos
      ? await this.#photos(input.photos ?? [])
      : { photos: [], rows: [] };
    const payload = {
      ...input.payload,
      problemId,
      ...(carriesPhotos ? { photos } : {}),
    };
    // Photos are only stored here; the sync round uploads them after the event.
    await this.#write([{ type: input.type, payload } as Draft], rows);
    return this.#problemOrFail(problemId);
  }

  async localPhotoUrl(sha256: string): Promise<string | null> {
    const row = await this.device.store.photos.get(sha256);
    if (!row) return null;
    return URL.createObjectURL(new Blob([row.bytes], { type: row.type }));
  }

  async photoBlob(sha256: string): Promise<Blob | null> {
    const row = await this.device.store.photos.get(sha256);
    if (row) return new Blob([row.bytes], { type: row.type });
    // Not taken here: the server's copy, with the device token (not kept on the tablet).
    const blob = await this.device.fetchBlob(sha256).catch(() => null);
    if (!blob || blob.type.startsWith('image/')) return blob;
    // Uploaded as plain bytes: name the image type from its first bytes, so it displays.
    const bytes = await blob.arrayBuffer();
    return new Blob([bytes], { type: imageTypeOf(new Uint8Array(bytes)) ?? blob.type });
  }

  async pendingPhotos(): Promise<number> {
    return (await this.device.store.photos.counts()).pendingPhotos;
  }

  onChange(cb: () => void): Unsubscribe {
    return this.device.onPipelineChange(cb);
  }

  #requireInspector(): SignedIn {
    if (!this.#signedIn) throw new SignInError('session_closed');
    return this.#signedIn;
  }

  async #openWalk(walkId: Id): Promise<Walk> {
    const walk = await this.#pipeline.walk(walkId);
    if (!walk) throw new InspectionError('unknown_walk');
    if (walk.endedAt !== null) throw new InspectionError('walk_ended');
    return walk;
  }

  async #walkOrFail(walkId: Id): Promise<Walk> {
    const walk = await this.#pipeline.walk(walkId);
    if (!walk) throw new WriteError('storage_unavailable', 'the walk was not stored');
    return walk;
  }

  async #problemOrFail(problemId: Id): Promise<ProblemView> {
    const view = await this.problem(problemId);
    if (!view) throw new WriteError('storage_unavailable', 'the problem was not stored');
    return view;
  }

  /** Prepare photos (downscaled, named by hash) before the transaction that stores them. */
  async #photos(blobs: readonly Blob[]): Promise<{ photos: Photo[]; rows: PhotoRow[] }> {
    if (blobs.length > MAX_PHOTOS) throw new PhotoError('too_many_photos');
    const photos: Photo[] = [];
    const rows: PhotoRow[] = [];
    const createdAt = new Date(this.device.now()).toISOString();
    for (const blob of blobs) {
      const p = await this.prepare(blob);
      photos.push({ sha256: p.sha256, type: p.type, size: p.size });
      rows.push({
        sha256: p.sha256,
        bytes: p.bytes,
        type: p.type,
        size: p.size,
        createdAt,
        uploaded: 0,
      });
    }
    return { photos, rows };
  }

  /** One action's events (and photos) in one transaction, as the signed-in inspector. */
  async #write(drafts: Draft[], photos: PhotoRow[] = []): Promise<EventEnvelope[]> {
    const actorId = this.#requireInspector().inspector.leaderId;
    let events: EventEnvelope[];
    try {
      events = await this.#pipeline.write(this.#writer, actorId, drafts, photos);
    } catch (error) {
      if (error instanceof WriteError && error.code === 'storage_full')
        this.device.status.update({ storageFull: true });
      throw error;
    }
    await this.device.wrotePipeline();
    return events;
  }

  #view(problem: Problem, calendar = holidayCalendar(this.#reference.holidays)): ProblemView {
    const ref = this.#reference;
    // Deadlines count in the hall's working days, as of the server's time as this tablet knows it.
    const deadlines = problemDeadlines(
      problem,
      this.device.store.clock.serverNow(),
      calendar,
      ref.settings,
    );
    return { problem, deadlines, overdue: isOverdue(deadlines), next: nextSteps(problem) };
  }
}
