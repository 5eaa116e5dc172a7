/**
 * Keeps the reference tables equal to the domain fold of the hall's ref.* events: each event is
 * applied with the domain's own `applyReferenceEvent` to the entity's current row, so the server
 * and every device agree on which version wins.
 */
import type { Db } from '../db/db';
import type { EventEnvelope } from '../../domain/events';
import { applyReferenceEvent, emptyReference } from '../../domain/reference';
import { getShift, saveShift } from '../repos/duty';
import { renameHall } from '../repos/halls';
import {
  getChecklistItems,
  getDepartment,
  getHolidayYears,
  getLeader,
  getServiceItem,
  getSettings,
  getWindow,
  saveChecklistItem,
  saveDepartment,
  saveHolidayYear,
  saveLeader,
  saveServiceItem,
  saveSettings,
  saveWindow,
} from '../repos/reference';

/** Apply one stored ref.* event (with the server's hlc) to the projection tables. */
export async function projectReference(tx: Db, e: EventEnvelope): Promise<void> {
  const ref = emptyReference();
  switch (e.type) {
    case 'ref.hallSaved': {
      applyReferenceEvent(ref, e);
      if (ref.hall) await renameHall(tx, e.hallId, ref.hall.name, ref.hall.nameEn ?? null);
      return;
    }
    case 'ref.departmentSaved': {
      const id = (e as EventEnvelope<'ref.departmentSaved'>).payload.departmentId;
      const current = await getDepartment(tx, id);
      if (current) ref.departments[id] = current;
      applyReferenceEvent(ref, e);
      const next = ref.departments[id];
      if (next && next.version.id === e.id) await saveDepartment(tx, e.hallId, next);
      return;
    }
    case 'ref.windowSaved': {
      const id = (e as EventEnvelope<'ref.windowSaved'>).payload.windowId;
      const current = await getWindow(tx, id);
      if (current) ref.windows[id] = current;
      applyReferenceEvent(ref, e);
      const next = ref.windows[id];
      if (next && next.version.id === e.id) await saveWindow(tx, e.hallId, next);
      return;
    }
    case 'ref.leaderSaved': {
      const id = (e as EventEnvelope<'ref.leaderSaved'>).payload.leaderId;
      const current = await getLeader(tx, id);
      if (current) ref.leaders[id] = current;
      applyReferenceEvent(ref, e);
      const next = ref.leaders[id];
      if (next && next.version.id === e.id) await saveLeader(tx, e.hallId, next);
      return;
    }
    case 'ref.dutyShiftSaved': {
      const id = (e as EventEnvelope<'ref.dutyShiftSaved'>).payload.shiftId;
      const current = await getShift(tx, id);
      if (current) ref.shifts[id] = current;
      applyReferenceEvent(ref, e);
      const next = ref.shifts[id];
      if (next && next.version.id === e.id) await saveShift(tx, e.hallId, next);
      return;
    }
    case 'ref.checklistItemSaved': {
      const id = (e as EventEnvelope<'ref.checklistItemSaved'>).payload.itemId;
      const current = (await getChecklistItems(tx, [id])).get(id);
      if (current) {
        const { hallId: _hall, ...item } = current;
        ref.checklist[id] = item;
      }
      applyReferenceEvent(ref, e);
      const next = ref.checklist[id];
      if (next && next.version.id === e.id) await saveChecklistItem(tx, e.hallId, next);
      return;
    }
    case 'ref.serviceItemSaved': {
      const id = (e as EventEnvelope<'ref.serviceItemSaved'>).payload.serviceItemId;
      const current = await getServiceItem(tx, id);
      if (current) {
        const { hallId: _hall, ...item } = current;
        ref.serviceItems[id] = item;
      }
      applyReferenceEvent(ref, e);
      const next = ref.serviceItems[id];
      if (next && next.version.id === e.id) await saveServiceItem(tx, e.hallId, next);
      return;
    }
    case 'ref.holidaysSaved': {
      const { year } = (e as EventEnvelope<'ref.holidaysSaved'>).payload;
      const current = await getHolidayYears(tx, e.hallId);
      ref.holidays = current.holidays;
      ref.holidayVersions = current.holidayVersions;
      applyReferenceEvent(ref, e);
      const next = ref.holidays[year];
      if (next && ref.holidayVersions[year]?.id === e.id) {
        await saveHolidayYear(tx, e.hallId, next, ref.holidayVersions[year]);
      }
      return;
    }
    case 'ref.settingsSaved': {
      const current = await getSettings(tx, e.hallId);
      ref.settings = current.settings;
      ref.settingVersions = current.settingVersions;
      applyReferenceEvent(ref, e);
      await saveSettings(tx, e.hallId, ref);
      return;
    }
  }
}
