/** The devices page's words: ages, names, storage and the server's refusals. */
import { formatDateTime, locale, t } from '../../i18n';
import type { DeviceHealth, FleetDevice } from '../../sync/report-protocol';
import type { Failure } from './admin-state.svelte';
import { failureText } from './failure-text';
import { ageOf, bytesText } from './fleet-view';

const REFUSALS = [
  'not_evaluator',
  'unknown_window',
  'revoked',
  'unknown_device',
  'invalid_body',
] as const;

export function fleetFailureText(failure: Failure): string {
  const known = REFUSALS.find((code) => code === failure.code);
  return known ? t(`fleet.errors.${known}`) : failureText(failure);
}

export function deviceName(d: Pick<FleetDevice, 'name'>): string {
  return d.name || t('admin.devices.unnamed');
}

export function ageText(iso: string, nowMs: number): string {
  const age = ageOf(iso, nowMs);
  switch (age.unit) {
    case 'now':
      return t('fleet.justNow');
    case 'minutes':
      return t('fleet.minutesAgo', { n: String(age.n) });
    case 'hours':
      return t('fleet.hoursAgo', { n: String(age.n) });
    case 'days':
      return t('fleet.daysAgo', { n: String(age.n) });
  }
}

export function whenText(iso: string | null): string {
  return iso ? formatDateTime(iso, locale.current) : t('admin.devices.never');
}

export function storageText(health: DeviceHealth | null): string {
  if (!health || health.storageUsage === null || health.storageQuota === null)
    return t('fleet.notReported');
  return t('fleet.storageUsed', {
    used: bytesText(health.storageUsage),
    quota: bytesText(health.storageQuota),
  });
}

export function persistenceText(health: DeviceHealth | null): string {
  if (!health || health.persisted === null) return '';
  return health.persisted ? t('fleet.persistent') : t('fleet.notPersistent');
}
