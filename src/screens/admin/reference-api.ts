/**
 * The console's calls for its reference data pages: one read of departments, windows, service
 * items and settings, and the writes, each a ref.* event through POST /admin/ref.
 */
import type {
  DepartmentSaved,
  ServiceItemSaved,
  SettingsSaved,
  WindowSaved,
} from '../../domain/events';
import type { ReferenceResponse } from '../../sync/reference-protocol';
import type { AdminCall } from './admin-api';

export function createReferenceApi(call: AdminCall) {
  const writeRef = <T>(type: string, payload: T) =>
    call<unknown>('POST', '/ref', { type, payload });
  return {
    reference: () => call<ReferenceResponse>('GET', '/reference'),
    saveDepartment: (d: DepartmentSaved) => writeRef('ref.departmentSaved', d),
    saveWindow: (w: WindowSaved) => writeRef('ref.windowSaved', w),
    saveServiceItem: (s: ServiceItemSaved) => writeRef('ref.serviceItemSaved', s),
    saveSettings: (s: SettingsSaved) => writeRef('ref.settingsSaved', s),
  };
}

export type ReferenceApi = ReturnType<typeof createReferenceApi>;
