/** Helpers of the walk and pipeline server suites: inspection tablets and their events. */
import type { EventEnvelope, PayloadOf, ProblemStepType } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { pinHash, pinProof } from '../../src/domain/pin';
import { getChecklist } from '../../src/server/repos/reference';
import type { EventOutcome } from '../../src/sync/protocol';
import type { TestServer } from '../support/server';
import type { KioskPin } from './duty-support';
import type { TestDevice } from './helpers';

/** Each outcome as `stored`, `duplicate` or the refusal's reason code. */
export const statuses = (results: EventOutcome[]) =>
  results.map((r) => (r.status === 'rejected' ? r.reason : r.status));

/** The ids of the hall's checklist items, in the hall's order. */
export async function checklistIds(server: TestServer): Promise<string[]> {
  return (await getChecklist(server.db, server.seed.hall.id)).map((item) => item.id);
}

export interface WalkStart {
  walkId?: string;
  leaderId: string;
  departmentId: string;
  windowId?: string | null;
  pin: string;
  record: Pick<KioskPin, 'version' | 'salt' | 'iterations'>;
}

/** A walk.started event as a tablet writes it: the proof is made from the typed PIN. */
export async function walkStartEvent(tablet: TestDevice, s: WalkStart): Promise<EventEnvelope> {
  const id = newId();
  const hash = await pinHash(s.pin, s.record.salt, s.record.iterations);
  return tablet.append(
    'walk.started',
    {
      walkId: s.walkId ?? newId(),
      mode: 'simulate',
      leaderId: s.leaderId,
      departmentId: s.departmentId,
      windowId: s.windowId ?? null,
      serviceItem: '个体工商户登记',
      pinVersion: s.record.version,
      pinProof: await pinProof(hash, id),
    },
    { id },
  );
}

export function walkIdOf(e: EventEnvelope): string {
  return (e.payload as { walkId: string }).walkId;
}

export function checkEvent(
  tablet: TestDevice,
  walkId: string,
  itemId: string,
  result: 'fine' | 'problem' | 'na',
  note = '',
): EventEnvelope {
  return tablet.append('walk.checked', { walkId, itemId, result, note });
}

export function endEvent(tablet: TestDevice, walkId: string, summary = ''): EventEnvelope {
  return tablet.append('walk.ended', { walkId, summary });
}

/** A walk finding (or any problem) recorded by a tablet. */
export function findingEvent(
  tablet: TestDevice,
  fields: Partial<PayloadOf<'problem.recorded'>> & { departmentId: string },
): EventEnvelope {
  return tablet.append('problem.recorded', {
    problemId: newId(),
    source: 'walk',
    sourceId: newId(),
    windowId: null,
    description: '办事指南与窗口要求的材料不一致',
    severity: 'medium',
    ...fields,
  });
}

export function problemIdOf(e: EventEnvelope): string {
  return (e.payload as { problemId: string }).problemId;
}

/** A step of the pipeline on a problem. */
export function stepEvent<T extends ProblemStepType>(
  device: TestDevice,
  type: T,
  payload: PayloadOf<T>,
): EventEnvelope {
  return device.append(type, payload);
}

/** Status change steps, written from the status the writer saw. */
export function moveEvent(
  device: TestDevice,
  problemId: string,
  from: PayloadOf<'problem.statusChanged'>['from'],
  to: PayloadOf<'problem.statusChanged'>['to'],
  note = '',
): EventEnvelope {
  return device.append('problem.statusChanged', { problemId, from, to, note, photos: [] });
}

export function assignEvent(
  device: TestDevice,
  problemId: string,
  departmentId: string,
  from: PayloadOf<'problem.assigned'>['from'] = 'found',
): EventEnvelope {
  return device.append('problem.assigned', {
    problemId,
    from,
    departmentId,
    assignee: '综合窗口负责人',
    note: '',
  });
}
