/** A duty kiosk (or evaluator) on fake-indexeddb with a small hall: no server, clock by hand. */
import { EnrolledDevice, type DeviceOptions } from '../../src/app/device';
import type { DeviceCredentials } from '../../src/app/device-api';
import type { DeviceRole } from '../../src/domain/device';
import { appendToLog, EMPTY_HEAD, type LogHead } from '../../src/domain/device';
import type { EventType, PayloadOf } from '../../src/domain/events';
import { HybridClock, hlcNode } from '../../src/domain/hlc';
import { newId, type Id } from '../../src/domain/ids';
import { pinHash } from '../../src/domain/pin';
import { hallDate, hallTimeMs } from '../../src/domain/schedule';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { DeviceClock, LocalStore } from '../../src/storage/store';
import type { RosterPin } from '../../src/storage/pin-repository';
import type { PulledEvent } from '../../src/sync/protocol';

/** Few iterations keep the tests quick; the kiosk uses what the roster says. */
export const TEST_ITERATIONS = 1_000;
export const PIN = '2468';

/** Hall-local 2026-03-02 (a Monday) at 09:30. */
export const DAY = '2026-03-02';
export const at = (time: string, date = DAY) => hallTimeMs(date, time);

export class ManualClock {
  constructor(public ms: number) {}
  now = () => this.ms;
}

export interface Hall {
  hallId: Id;
  departmentId: Id;
  windowId: Id;
  otherWindowId: Id;
  /** 税务局局长: scheduled today 09:00–11:30 at the window, badge TAX-01, has a PIN. */
  leaderId: Id;
  /** 社保局副局长: not scheduled, has a PIN. */
  deputyId: Id;
  /** 医保局局长: no PIN known. */
  noPinId: Id;
  shiftId: Id;
  consoleId: Id;
}

export function makeHall(): Hall {
  return {
    hallId: newId(),
    departmentId: newId(),
    windowId: newId(),
    otherWindowId: newId(),
    leaderId: newId(),
    deputyId: newId(),
    noPinId: newId(),
    shiftId: newId(),
    consoleId: newId(),
  };
}

/** Events as the server would hand them out on a pull, hallSeq from `firstSeq`. */
export class EventSource {
  head: LogHead = EMPTY_HEAD;
  seq = 0;
  constructor(
    readonly hallId: Id,
    readonly deviceId: Id,
    readonly now: () => number,
  ) {}
  #clock: HybridClock | null = null;
  make<T extends EventType>(type: T, payload: PayloadOf<T>, id?: Id): PulledEvent {
    this.#clock ??= new HybridClock(hlcNode(this.deviceId), this.now, null);
    const { event, head } = appendToLog(this.head, {
      type,
      payload,
      hallId: this.hallId,
      deviceId: this.deviceId,
      at: new Date(this.now()).toISOString(),
      hlc: this.#clock.tick(),
      ...(id ? { id } : {}),
    });
    this.head = head;
    return { ...event, hallSeq: ++this.seq } as PulledEvent;
  }
}

export function referenceEvents(hall: Hall, source: EventSource): PulledEvent[] {
  const { departmentId } = hall;
  return [
    source.make('ref.hallSaved', { name: '政务服务中心' }),
    source.make('ref.departmentSaved', {
      departmentId,
      code: 'TAX',
      name: '税务',
      sort: 1,
      active: true,
    }),
    source.make('ref.windowSaved', {
      windowId: hall.windowId,
      departmentId,
      code: 'A01',
      name: 'A01 窗口',
      sort: 1,
      active: true,
    }),
    source.make('ref.windowSaved', {
      windowId: hall.otherWindowId,
      departmentId,
      code: 'A02',
      name: 'A02 窗口',
      sort: 2,
      active: true,
    }),
    source.make('ref.leaderSaved', {
      leaderId: hall.leaderId,
      departmentId,
      title: '税务局局长',
      badgeCode: 'TAX-01',
      active: true,
    }),
    source.make('ref.leaderSaved', {
      leaderId: hall.deputyId,
      departmentId,
      title: '社保局副局长',
      active: true,
    }),
    source.make('ref.leaderSaved', {
      leaderId: hall.noPinId,
      departmentId,
      title: '医保局局长',
      active: true,
    }),
    source.make('ref.dutyShiftSaved', {
      shiftId: hall.shiftId,
      leaderId: hall.leaderId,
      departmentId,
      windowId: hall.windowId,
      date: hallDate(source.now()),
      start: '09:00',
      end: '11:30',
      published: true,
      active: true,
    }),
  ];
}

export async function rosterPin(leaderId: Id, pin: string, version = 1): Promise<RosterPin> {
  const salt = '00112233445566778899aabbccddeeff';
  return {
    leaderId,
    version,
    salt,
    iterations: TEST_ITERATIONS,
    hash: await pinHash(pin, salt, TEST_ITERATIONS),
  };
}

export interface Kiosk {
  device: EnrolledDevice;
  options: DeviceOptions;
  credentials: DeviceCredentials;
  settings: DeviceSettings;
  reopen(): Promise<EnrolledDevice>;
}

/**
 * A device of `role` whose database already holds the hall's reference (and, for a kiosk, the
 * PINs of the leader and the deputy), opened with syncing and timers driven by hand.
 */
export async function openHallDevice(
  hall: Hall,
  clock: ManualClock,
  role: DeviceRole,
  extraEvents: (source: EventSource) => PulledEvent[] = () => [],
): Promise<Kiosk> {
  const credentials: DeviceCredentials = {
    deviceId: newId(),
    token: 'test-token',
    hallId: hall.hallId,
    role,
    windowId: role === 'evaluator' ? hall.windowId : null,
    enrolledAt: new Date(clock.ms).toISOString(),
  };
  const settings = new DeviceSettings(memoryStore());
  await settings.saveCredentials(credentials);
  const options: DeviceOptions = {
    settings,
    dbName: `duty-${newId()}`,
    triggers: false,
    // Nothing listens there: these devices never sync unless a test points them at a server.
    baseUrl: 'http://127.0.0.1:9',
    now: clock.now,
  };
  const store = await LocalStore.open(options.dbName!, credentials.deviceId, {
    clock: new DeviceClock(clock.now),
  });
  const source = new EventSource(hall.hallId, hall.consoleId, clock.now);
  const events = [...referenceEvents(hall, source), ...extraEvents(source)];
  await store.applyPage(events, events.length);
  if (role === 'duty_kiosk')
    await store.savePins([
      await rosterPin(hall.leaderId, PIN),
      await rosterPin(hall.deputyId, '1357'),
    ]);
  store.close();
  const kiosk: Kiosk = {
    device: await EnrolledDevice.open(credentials, settings, options),
    options,
    credentials,
    settings,
    async reopen() {
      kiosk.device.stop();
      kiosk.device = await EnrolledDevice.open(credentials, settings, options);
      return kiosk.device;
    },
  };
  return kiosk;
}
