import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrolledDevice } from '../../src/app/device';
import { photoBlob } from '../storage/inspection-fixtures';
import { startTestServer, type TestServer } from '../support/server';
import { adminCookie, count } from './helpers';
import { LEADER_PIN, inspectionTablet, setPin } from './photos-fixtures';

let server: TestServer;
const running: EnrolledDevice[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await setPin(server, await adminCookie(server), server.seed.leaders[0]!.id, LEADER_PIN);
});
afterAll(async () => {
  for (const d of running.splice(0)) d.stop();
  await server.close();
});

async function tabletWithFinding(photos: Blob[]) {
  const t = await inspectionTablet(server);
  running.push(t.device);
  const leader = server.seed.leaders[0]!;
  const tab = t.device.inspection!;
  expect(tab.checklist().length).toBeGreaterThan(0);
  await tab.signIn(leader.id, LEADER_PIN);
  const walk = await tab.startWalk({
    mode: 'inspect',
    departmentId: leader.departmentId,
    windowId: null,
    serviceItem: '不动产登记',
  });
  const finding = await tab.addFinding(walk.id, {
    description: '材料要求与清单不一致',
    severity: 'medium',
    checklistItemId: tab.checklist()[0]!.id,
    photos,
  });
  return { ...t, tab, walk, finding };
}

const blobCount = (sha: string) =>
  count(server, 'SELECT count(*) AS n FROM blobs WHERE sha256 = $1', [sha]);

async function serverBytes(device: EnrolledDevice, sha: string): Promise<Uint8Array | null> {
  const blob = await device.fetchBlob(sha);
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

describe('photos against the real server', () => {
  it('a finding reaches the server before its photo, which follows once uploads work', async () => {
    const picked = photoBlob('counter');
    const { device, tap, finding } = await tabletWithFinding([picked]);
    const sha = finding.problem.photos[0]!.sha256;
    expect(device.status.get().pendingPhotos).toBe(1);

    // Uploads fail (the hall's Wi-Fi drops large requests); events still go through.
    tap.hook = async (path) => {
      if (path.startsWith('/api/v1/blobs/')) throw new TypeError('connection reset');
      return undefined;
    };
    const failed = await device.syncNow();
    expect(failed).toMatchObject({ ok: false, error: 'offline', uploaded: 0 });
    expect(
      await count(server, 'SELECT count(*) AS n FROM problems WHERE id = $1', [finding.problem.id]),
    ).toBe(1);
    expect(
      await count(server, 'SELECT count(*) AS n FROM photo_refs WHERE sha256 = $1', [sha]),
    ).toBe(1);
    expect(await blobCount(sha)).toBe(0);
    expect(device.status.get()).toMatchObject({ pending: 0, pendingPhotos: 1 });
    // A failed round backs off, as for events.
    expect(device.engine.retryDelayMs).not.toBeNull();

    tap.hook = null;
    const round = await device.syncNow();
    expect(round).toMatchObject({ ok: true, uploaded: 1 });
    expect(device.status.get()).toMatchObject({ pending: 0, pendingPhotos: 0, rejected: 0 });
    expect(await blobCount(sha)).toBe(1);
    expect((await device.store.photos.get(sha))!.uploaded).toBe(1);
    expect(await serverBytes(device, sha)).toEqual(new Uint8Array(await picked.arrayBuffer()));

    // Nothing is uploaded twice.
    const puts = tap.calls.filter((c) => c.method === 'PUT').length;
    await device.syncNow();
    expect(tap.calls.filter((c) => c.method === 'PUT').length).toBe(puts);
  });

  it('an upload cut after the server stored it is retried, and stored once, byte-identical', async () => {
    const pickedPhotos = [photoBlob('cut'), photoBlob('second')];
    const { device, tap, finding } = await tabletWithFinding(pickedPhotos);
    const shas = finding.problem.photos.map((p) => p.sha256);
    let cutPath: string | null = null;
    tap.hook = async (path, real) => {
      if (cutPath === null && path.startsWith('/api/v1/blobs/')) {
        cutPath = path;
        await real(); // The server gets the bytes; the answer never comes back.
        throw new TypeError('connection cut');
      }
      return undefined;
    };
    expect((await device.syncNow()).ok).toBe(false);
    const first = cutPath!.slice('/api/v1/blobs/'.length);
    const picked = pickedPhotos[shas.indexOf(first)]!;
    expect(await blobCount(first)).toBe(1);
    expect((await device.store.photos.get(first))!.uploaded).toBe(0);
    expect(device.status.get().pendingPhotos).toBe(2);

    const again = await device.syncNow();
    expect(again).toMatchObject({ ok: true, uploaded: 2 });
    for (const sha of shas) expect(await blobCount(sha)).toBe(1);
    expect(tap.count(cutPath!)).toBe(2);
    expect(await serverBytes(device, first)).toEqual(new Uint8Array(await picked.arrayBuffer()));

    // A photo no longer on the tablet is loaded from the server, with the token.
    await device.store.db.photos.delete(first);
    const fromServer = await device.inspection!.photoBlob(first);
    expect(new Uint8Array(await fromServer!.arrayBuffer())).toEqual(
      new Uint8Array(await picked.arrayBuffer()),
    );
    expect(await device.inspection!.photoBlob('0'.repeat(64))).toBeNull();
  });

  it('a corrupt local copy is refused by the server, kept with the reason, not sent again', async () => {
    const { device, tap, finding } = await tabletWithFinding([photoBlob('corrupt')]);
    const sha = finding.problem.photos[0]!.sha256;
    await device.store.db.photos.update(sha, {
      bytes: new TextEncoder().encode('bit rot').buffer as ArrayBuffer,
    });
    const round = await device.syncNow();
    expect(round).toMatchObject({ ok: true, uploaded: 0 });
    expect(await device.store.photos.get(sha)).toMatchObject({
      uploaded: 0,
      refused: 'hash_mismatch',
    });
    expect(device.status.get()).toMatchObject({ pendingPhotos: 0, rejected: 1 });
    expect(await blobCount(sha)).toBe(0);
    const puts = tap.count(`/api/v1/blobs/${sha}`);
    await device.syncNow();
    expect(tap.count(`/api/v1/blobs/${sha}`)).toBe(puts);
  });
});
