/** An inspection tablet on fake-indexeddb with a small hall and its checklist; no server. */
import { PhotoError } from '../../src/app/device-api';
import type { PreparedPhoto } from '../../src/app/photo';
import { sha256Hex } from '../../src/app/photo';
import { newId, type Id } from '../../src/domain/ids';
import {
  EventSource,
  ManualClock,
  PIN,
  at,
  makeHall,
  openHallDevice,
  rosterPin,
  type Hall,
  type Kiosk,
} from './duty-fixtures';

export { EventSource, ManualClock, PIN, at, makeHall, rosterPin, type Hall, type Kiosk };

export interface InspectionHall extends Hall {
  /** Two active checklist items and a retired one. */
  items: [Id, Id, Id];
}

/**
 * Node has no canvas: photos are taken in as they are (any image type), named by their SHA-256.
 * The browser's downscaling is exercised by the browser tests.
 */
export async function preparePlainPhoto(blob: Blob): Promise<PreparedPhoto> {
  if (!blob.type.startsWith('image/')) throw new PhotoError('not_an_image');
  const bytes = await blob.arrayBuffer();
  return { bytes, type: 'image/jpeg', size: bytes.byteLength, sha256: await sha256Hex(bytes) };
}

/** A small "image": distinct bytes per seed. */
export function photoBlob(seed: string): Blob {
  return new Blob([new TextEncoder().encode(`jpeg:${seed}`)], { type: 'image/jpeg' });
}

export function makeInspectionHall(): InspectionHall {
  return { ...makeHall(), items: [newId(), newId(), newId()] };
}

/** An inspection tablet knowing the hall, its checklist and the PINs of the leader and deputy. */
export async function openTablet(
  hall: InspectionHall,
  clock: ManualClock,
  extra: (source: EventSource) => ReturnType<EventSource['make']>[] = () => [],
): Promise<Kiosk> {
  const k = await openHallDevice(hall, clock, 'inspection_tablet', (source) => [
    source.make('ref.checklistItemSaved', {
      itemId: hall.items[0],
      group: 'experience',
      text: '窗口服务体验',
      sort: 10,
      active: true,
    }),
    source.make('ref.checklistItemSaved', {
      itemId: hall.items[1],
      group: 'reform',
      text: '能否减材料',
      sort: 10,
      active: true,
    }),
    source.make('ref.checklistItemSaved', {
      itemId: hall.items[2],
      group: 'experience',
      text: '旧的检查项',
      sort: 5,
      active: false,
    }),
    ...extra(source),
  ]);
  await k.device.store.savePins([
    await rosterPin(hall.leaderId, PIN),
    await rosterPin(hall.deputyId, '1357'),
  ]);
  k.options.preparePhoto = preparePlainPhoto;
  await k.reopen();
  return k;
}
