/** Inspection tablets enrolled with the real in-process server, syncing by hand. */
import { enrollDevice, openDevice, type EnrolledDevice } from '../../src/app/device';
import { createEnrollment } from '../../src/server/services/enroll';
import { preparePlainPhoto } from '../storage/inspection-fixtures';
import type { TestServer } from '../support/server';
import { deviceOptions, tappedFetch, type Tap } from './helpers';

export const LEADER_PIN = '482915';

/** Set a leader's PIN through the console (in-process). */
export async function setPin(server: TestServer, cookie: string, leaderId: string, pin: string) {
  const res = await server.app.inject({
    method: 'POST',
    url: `/api/v1/admin/leaders/${leaderId}/pin`,
    headers: { cookie },
    payload: { pin },
  });
  if (res.statusCode >= 300) throw new Error(`set PIN: ${res.statusCode} ${res.body}`);
}

/** Enroll and start an inspection tablet; it has synced once (reference, checklist, PINs). */
export async function inspectionTablet(
  server: TestServer,
): Promise<{ device: EnrolledDevice; tap: Tap }> {
  const tap = tappedFetch();
  const { options } = deviceOptions(server, { fetch: tap.fetch, preparePhoto: preparePlainPhoto });
  const enrollment = await createEnrollment(
    server.db,
    server.seed.hall.id,
    { role: 'inspection_tablet' } as Parameters<typeof createEnrollment>[2],
    Date.now(),
  );
  await enrollDevice(enrollment.code, '巡查平板', options);
  const device = (await openDevice(options))!;
  const first = await device.syncNow();
  if (!first.ok) throw new Error(`first sync failed: ${first.error}`);
  return { device, tap };
}
