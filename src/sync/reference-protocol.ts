/**
 * Wire types of the console's reference data pages (GET /api/v1/admin/reference): departments
 * and windows including inactive ones, service items, and the hall's settings with their defaults.
 * Writes go through POST /api/v1/admin/ref as `ref.*` events.
 */
import type { Department, HallSettings, ServiceItem, ServiceWindow } from '../domain/reference';

/** A department as the console edits it, with its number of active leaders. */
export type ReferenceDepartment = Omit<Department, 'version'> & { leaders: number };
export type ReferenceWindow = Omit<ServiceWindow, 'version'>;
export type ReferenceServiceItem = Omit<ServiceItem, 'version'>;

export interface ReferenceResponse {
  /** In the hall's order (sort, then code). */
  departments: ReferenceDepartment[];
  windows: ReferenceWindow[];
  serviceItems: ReferenceServiceItem[];
  /** Every setting: the hall's own value, or the default where it has none. */
  settings: HallSettings;
  /** The settings the hall has set itself; the others are defaults. */
  setByHall: (keyof HallSettings)[];
}
