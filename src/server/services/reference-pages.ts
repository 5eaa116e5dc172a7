/** The console's reference data pages: departments, windows, service items and settings. */
import type { Db } from '../db/db';
import type { HallSettings } from '../../domain/reference';
import type { ReferenceResponse } from '../../sync/reference-protocol';
import {
  getSettings,
  leaderCounts,
  listDepartments,
  listServiceItems,
  listWindows,
} from '../repos/reference';

const unversioned = <T extends { version: unknown }>({ version: _version, ...rest }: T) => rest;

/** Departments and windows (inactive ones too), service items and the settings in force. */
export async function adminReference(db: Db, hallId: string): Promise<ReferenceResponse> {
  const [departments, windows, serviceItems, settings, leaders] = await Promise.all([
    listDepartments(db, hallId),
    listWindows(db, hallId),
    listServiceItems(db, hallId),
    getSettings(db, hallId),
    leaderCounts(db, hallId),
  ]);
  return {
    departments: departments.map((d) => ({ ...unversioned(d), leaders: leaders.get(d.id) ?? 0 })),
    windows: windows.map(({ hallId: _hall, ...w }) => unversioned(w)),
    serviceItems: serviceItems.map(({ hallId: _hall, ...s }) => unversioned(s)),
    settings: settings.settings,
    setByHall: Object.keys(settings.settingVersions) as (keyof HallSettings)[],
  };
}
