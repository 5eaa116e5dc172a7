/**
 * The console's walk checklist and holiday calendar. Both are reference data: adding, rewording
 * and retiring items, holiday years and due days are written through POST /admin/ref; the
 * reorder here writes one `ref.checklistItemSaved` per item whose place changed.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { checklistInOrder } from '../../domain/checklist';
import { CHECKLIST_GROUPS } from '../../domain/events';
import type { Id } from '../../domain/ids';
import type {
  CalendarResponse,
  ChecklistOrderRequest,
  ChecklistResponse,
} from '../../sync/pipeline-protocol';
import { badRequest } from '../errors';
import { writeConsoleEvents, type RefWrite } from './console-writer';
import { loadHallView } from './pipeline-console';

/** GET /admin/checklist: every item, retired ones too, in walk order. */
export async function adminChecklist(db: Db, hallId: string): Promise<ChecklistResponse> {
  const hall = await loadHallView(db, hallId);
  return { items: checklistInOrder(hall.checklist, CHECKLIST_GROUPS, true) };
}

/** Gap between two items' sort keys, so one can later be put between two others. */
export const SORT_STEP = 10;

const OrderSchema = v.object({
  ids: v.pipe(v.array(v.pipe(v.string(), v.maxLength(100))), v.maxLength(500)),
});

/**
 * POST /admin/checklist/order { ids }: the items named get sort 10, 20, … in the order given;
 * only items whose sort changes get an event. Unknown or repeated ids refuse the whole order.
 */
export async function orderChecklist(
  db: Db,
  admin: { hallId: string; adminId: string },
  body: unknown,
  now: number,
): Promise<ChecklistResponse> {
  const parsed = v.safeParse(OrderSchema, body);
  if (!parsed.success) throw badRequest('invalid_body', 'Expected { ids: [item ids] }.');
  const { ids }: ChecklistOrderRequest = parsed.output;
  if (new Set(ids).size !== ids.length) {
    throw badRequest('duplicate_item', 'An item appears twice in the order.');
  }
  await db.tx(async (tx) => {
    const { checklist } = await loadHallView(tx, admin.hallId);
    const unknown = ids.find((id) => checklist[id] === undefined);
    if (unknown !== undefined) {
      throw badRequest('unknown_item', `There is no checklist item ${unknown.slice(0, 60)}.`);
    }
    const writes: RefWrite[] = [];
    ids.forEach((id: Id, i) => {
      const { version: _version, id: itemId, ...item } = checklist[id]!;
      const sort = (i + 1) * SORT_STEP;
      if (item.sort !== sort) {
        writes.push({ type: 'ref.checklistItemSaved', payload: { itemId, ...item, sort } });
      }
    });
    if (writes.length > 0) {
      await writeConsoleEvents(tx, admin.hallId, writes, now, { actorId: admin.adminId });
    }
  });
  return adminChecklist(db, admin.hallId);
}

/** GET /admin/calendar: the holiday years in force and the due days. */
export async function adminCalendar(db: Db, hallId: string): Promise<CalendarResponse> {
  const hall = await loadHallView(db, hallId);
  const years = Object.values(hall.calendar)
    .map((y) => ({
      ...y,
      source: hall.hallYears[y.year] !== undefined ? ('hall' as const) : ('shipped' as const),
    }))
    .sort((a, b) => a.year - b.year);
  const s = hall.settings;
  return {
    years,
    dueDays: {
      ratingCallBackDays: s.ratingCallBackDays,
      ratingRectifyDays: s.ratingRectifyDays,
      walkRectifyDays: s.walkRectifyDays,
      dutyRectifyDays: s.dutyRectifyDays,
    },
  };
}
