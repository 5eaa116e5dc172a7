/**
 * 暗访 on the screens: the inspection tablet names the concealed inspector by the placeholder's
 * words, and the console's walk report publishes an unannounced inspection.
 */
import { render } from 'svelte/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { Leader } from '../../src/domain/reference';
import { CONCEALED_LEADER_ID, type Walk } from '../../src/domain/walk';
import { locale } from '../../src/i18n';
import { createAdminApi, type FetchLike } from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import WalkPublish from '../../src/screens/admin/WalkPublish.svelte';
import { leaderTitle } from '../../src/screens/inspect/leader-words';
import type { WalkReportResponse } from '../../src/sync/pipeline-protocol';

const NOW = Date.parse('2026-11-18T02:00:00Z');

beforeAll(async () => {
  await locale.use('admin');
  await locale.use('inspect');
});
afterAll(async () => {
  await locale.set('zh-CN');
});

describe('the inspection tablet', () => {
  const director: Leader = {
    id: newId(),
    departmentId: newId(),
    title: '税务局局长',
    titleEn: 'Director of Taxation',
    active: true,
  } as Leader;

  it('shows the placeholder as 暗访人员（未公开）, in English too, and a leader by title', async () => {
    expect(leaderTitle(CONCEALED_LEADER_ID, null)).toBe('暗访人员（未公开）');
    expect(leaderTitle(director.id, director)).toBe('税务局局长');
    expect(leaderTitle(newId(), null)).toBeNull();
    await locale.set('en');
    expect(leaderTitle(CONCEALED_LEADER_ID, null)).toBe(
      'Unannounced inspector (not yet published)',
    );
    expect(leaderTitle(director.id, director)).toBe('Director of Taxation');
    await locale.set('zh-CN');
  });
});

describe('the console walk report', () => {
  const walkId = newId();
  const walk = { id: walkId, mode: 'unannounced', summary: '' } as unknown as Walk;
  const reportOf = (publishedAt?: string) =>
    ({
      walk: { ...walk, ...(publishedAt ? { publishedAt } : {}) },
    }) as unknown as WalkReportResponse;

  function scripted(publish: () => [number, unknown]) {
    const keys: string[] = [];
    const fetchFn: FetchLike = async (input, init) => {
      const key = `${init?.method ?? 'GET'} ${input}`;
      keys.push(key);
      const [status, body] =
        key === `GET /api/v1/admin/walks/${walkId}`
          ? [200, reportOf()]
          : key === `POST /api/v1/admin/walks/${walkId}/publish`
            ? publish()
            : key.startsWith('GET /api/v1/admin/walks?')
              ? [200, { walks: [] }]
              : [404, { error: 'not_found', message: key }];
      return new Response(JSON.stringify(body), { status });
    };
    return { admin: new AdminState(createAdminApi(fetchFn), () => NOW), keys };
  }

  it('offers 公开暗访结果 until published, then shows when', async () => {
    const publishedAt = '2026-11-18T02:00:00.000Z';
    const { admin, keys } = scripted(() => [200, reportOf(publishedAt)]);
    await admin.walks.open(walkId);
    const before = render(WalkPublish, {
      props: { walks: admin.walks, publishedAt: admin.walks.report!.walk.publishedAt },
    }).body;
    expect(before).toContain('公开暗访结果');
    expect(before).toContain('data-testid="publish-walk"');

    await admin.walks.publish();
    expect(keys).toContain(`POST /api/v1/admin/walks/${walkId}/publish`);
    expect(admin.walks.report!.walk.publishedAt).toBe(publishedAt);
    expect(admin.walks.publishError).toBeNull();
    const after = render(WalkPublish, {
      props: { walks: admin.walks, publishedAt: admin.walks.report!.walk.publishedAt },
    }).body;
    expect(after).toContain('已公开');
    expect(after).not.toContain('data-testid="publish-walk"');
  });

  it('says why a refused publication was refused', async () => {
    const { admin } = scripted(() => [
      409,
      { error: 'not_unannounced', message: 'Only an unannounced inspection is published.' },
    ]);
    await admin.walks.open(walkId);
    await admin.walks.publish();
    expect(admin.walks.publishError?.code).toBe('not_unannounced');
    expect(admin.walks.report!.walk.publishedAt).toBeUndefined();
    const body = render(WalkPublish, {
      props: { walks: admin.walks, publishedAt: undefined },
    }).body;
    expect(body).toContain('只有暗访需要公开');
  });
});
