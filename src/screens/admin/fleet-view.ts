/** What the devices page says about each device: ages, storage and alerts, as plain data. */
import type { FleetAlert, FleetDevice, FleetResponse } from '../../sync/report-protocol';

/** How long ago an instant was, in the largest whole unit (under a minute: just now). */
export type Age =
  | { unit: 'now' }
  | { unit: 'minutes'; n: number }
  | { unit: 'hours'; n: number }
  | { unit: 'days'; n: number };

export function ageOf(iso: string, nowMs: number): Age {
  const minutes = Math.floor((nowMs - Date.parse(iso)) / 60_000);
  if (!(minutes >= 1)) return { unit: 'now' };
  if (minutes < 60) return { unit: 'minutes', n: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'hours', n: hours };
  return { unit: 'days', n: Math.floor(hours / 24) };
}

/** Bytes in the unit a person reads (1 KB = 1024 B), one decimal from MB up. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit < 2 ? `${Math.round(value)} ${units[unit]}` : `${value.toFixed(1)} ${units[unit]}`;
}

/** An alert with the device it is about (alerts of devices no longer listed are left out). */
export interface DeviceAlert {
  alert: FleetAlert;
  device: FleetDevice;
}

export function deviceAlerts(fleet: FleetResponse): DeviceAlert[] {
  const byId = new Map(fleet.devices.map((d) => [d.id, d]));
  return fleet.alerts.flatMap((alert) => {
    const device = byId.get(alert.deviceId);
    return device ? [{ alert, device }] : [];
  });
}

/** The alerts' kinds by device, to mark the device's row in words too. */
export function alertKinds(fleet: FleetResponse): Map<string, FleetAlert['kind'][]> {
  const kinds = new Map<string, FleetAlert['kind'][]>();
  for (const a of fleet.alerts) kinds.set(a.deviceId, [...(kinds.get(a.deviceId) ?? []), a.kind]);
  return kinds;
}
