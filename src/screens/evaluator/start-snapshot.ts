/**
 * What the evaluator's start screen showed last (its hall, window, department and the hall's
 * settings), kept in the browser's local storage, so that a cold start can show the rating buttons
 * as soon as it has read the credentials, before the device's database has opened. The device's
 * own reference replaces it once open; it is only ever used for the same device and window it was
 * kept for. Storage that is missing, full or refused just means the start waits for the device.
 */
import type { DeviceCredentials } from '../../app/device-api';
import type { Id } from '../../domain/ids';
import {
  emptyReference,
  type Department,
  type HallSettings,
  type Reference,
  type ServiceWindow,
} from '../../domain/reference';
import { isDeviceKeyPair } from '../../sync/signing';

/** The local-storage key it is kept under. */
export const START_SNAPSHOT_KEY = 'hall-kiosk:evaluator-start';

interface Snapshot {
  deviceId: Id;
  windowId: Id;
  hall: Reference['hall'];
  window: ServiceWindow;
  department: Department | null;
  settings: HallSettings;
}

type SnapshotStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The page's local storage, or null where the browser refuses it. */
export function browserStorage(): SnapshotStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * Keep what the start screen of this evaluator shows with `reference`; a window the reference does
 * not know is not kept (the start then waits for the device).
 */
export function keepStartSnapshot(
  storage: SnapshotStorage | null,
  credentials: Pick<DeviceCredentials, 'deviceId' | 'windowId'>,
  reference: Reference,
): void {
  const windowId = credentials.windowId;
  const window = windowId ? reference.windows[windowId] : undefined;
  if (!storage || !windowId || !window) return;
  const snapshot: Snapshot = {
    deviceId: credentials.deviceId,
    windowId,
    hall: reference.hall,
    window,
    department: reference.departments[window.departmentId] ?? null,
    settings: reference.settings,
  };
  try {
    storage.setItem(START_SNAPSHOT_KEY, JSON.stringify(snapshot));
  } catch {
    // Full or refused: the next start waits for the device.
  }
}

/**
 * The reference the start screen last showed for this device and window, holding that window, its
 * department, the hall and its settings; null when none was kept for them.
 */
export function loadStartSnapshot(
  storage: SnapshotStorage | null,
  credentials: Pick<DeviceCredentials, 'deviceId' | 'windowId'>,
): Reference | null {
  let snapshot: Partial<Snapshot> | null;
  try {
    snapshot = JSON.parse(storage?.getItem(START_SNAPSHOT_KEY) ?? 'null') as Partial<Snapshot>;
  } catch {
    return null;
  }
  if (
    !snapshot ||
    typeof snapshot !== 'object' ||
    snapshot.deviceId !== credentials.deviceId ||
    !credentials.windowId ||
    snapshot.windowId !== credentials.windowId ||
    snapshot.window?.id !== credentials.windowId ||
    typeof snapshot.window.departmentId !== 'string' ||
    typeof snapshot.window.name !== 'string' ||
    !snapshot.settings ||
    typeof snapshot.settings !== 'object'
  )
    return null;
  const reference = emptyReference();
  reference.hall = snapshot.hall ?? null;
  reference.windows[snapshot.window.id] = snapshot.window;
  if (snapshot.department?.id === snapshot.window.departmentId)
    reference.departments[snapshot.department.id] = snapshot.department;
  reference.settings = { ...reference.settings, ...snapshot.settings };
  return reference;
}

/** What the start screen can show before the device has opened. */
export interface EarlyStart {
  credentials: DeviceCredentials;
  reference: Reference;
}

/**
 * This browser's evaluator and the start screen it last showed, when both are known: credentials
 * of an evaluator bound to a window, with a usable key (as the device itself requires), and a
 * snapshot kept for that device and window. Null otherwise (not enrolled, another role, nothing
 * kept, storage failing): the screen then waits for the device as it always did.
 */
export async function earlyStart(
  loadCredentials: () => Promise<DeviceCredentials | undefined>,
  storage: SnapshotStorage | null,
): Promise<EarlyStart | null> {
  const credentials = await loadCredentials().catch(() => undefined);
  if (!credentials || credentials.role !== 'evaluator' || !credentials.windowId) return null;
  if (credentials.key !== undefined && !isDeviceKeyPair(credentials.key)) return null;
  const reference = loadStartSnapshot(storage, credentials);
  return reference ? { credentials, reference } : null;
}
