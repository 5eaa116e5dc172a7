import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';
import { createAdminApi, type FetchLike } from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import { tabGroups } from '../../src/screens/admin/tab-groups';
import {
  changedSettings,
  checkSettings,
  settingsFields,
} from '../../src/screens/admin/reference-forms';
import { ADMIN_TABS } from '../../src/screens/admin/admin-state.svelte';
import type { RatingFlagItem } from '../../src/sync/integrity-protocol';

function flag(over: Partial<RatingFlagItem> = {}): RatingFlagItem {
  return {
    id: newId(),
    kind: 'evaluator_burst',
    subject: newId(),
    windowId: newId(),
    windowCode: 'A01',
    windowName: '综合受理',
    firstAt: '2026-03-02T01:00:00.000Z',
    lastAt: '2026-03-02T01:05:00.000Z',
    n: 12,
    createdAt: '2026-03-02T01:05:01.000Z',
    reviewedAt: null,
    reviewedBy: null,
    reviewNote: null,
    verdict: null,
    rule: { max: 10, spanMinutes: 10 },
    limit: null,
    ratings: [],
    ...over,
  };
}

function scripted(routes: Record<string, (body: unknown) => [number, unknown]>) {
  const seen: { key: string; body: unknown }[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${input}`;
    const body = init?.body ? JSON.parse(init.body as string) : undefined;
    seen.push({ key, body });
    const route = routes[key];
    if (!route)
      return new Response(JSON.stringify({ error: 'not_found', message: key }), { status: 404 });
    const [status, answer] = route(body);
    return new Response(JSON.stringify(answer), { status });
  };
  return { fetchFn, seen };
}

describe('异常评价 in the console', () => {
  it('is a tab of the 好差评 group', () => {
    const ratings = tabGroups(ADMIN_TABS).find((g) => g.group === 'ratings');
    expect(ratings?.tabs).toContain('ratingFlags');
  });

  it('loads flags and repeated presses, reviews a flag with a note and reloads', async () => {
    let current = flag();
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      'GET /api/v1/admin/rating-flags': () => [200, { flags: [current] }],
      'GET /api/v1/admin/rating-extras': () => [200, { extras: [] }],
      [`POST /api/v1/admin/rating-flags/${current.id}/review`]: (body) => {
        const b = body as { verdict: 'kept' | 'fraud'; note: string };
        current = {
          ...current,
          verdict: b.verdict,
          reviewNote: b.note,
          reviewedAt: current.lastAt,
        };
        return [200, { ok: true }];
      },
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    admin.show('ratingFlags');
    await admin.ratingFlags.flags.refresh();
    await admin.ratingFlags.extras.refresh();
    expect(admin.ratingFlags.flags.data?.flags).toHaveLength(1);
    expect(admin.ratingFlags.extras.data?.extras).toEqual([]);

    expect(await admin.ratingFlags.review(current.id, 'fraud', '  同一时段连续好评 ')).toBe(true);
    expect(server.seen.find((s) => s.key.startsWith('POST'))?.body).toEqual({
      verdict: 'fraud',
      note: '同一时段连续好评',
    });
    expect(admin.ratingFlags.flags.data?.flags[0]).toMatchObject({ verdict: 'fraud' });
    expect(admin.ratingFlags.run.done).toBe('reviewed');
  });

  it('keeps a refused review with its reason for the flag it was about', async () => {
    const id = newId();
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      [`POST /api/v1/admin/rating-flags/${id}/review`]: () => [
        404,
        { error: 'unknown_flag', message: 'There is no such flag.' },
      ],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    expect(await admin.ratingFlags.review(id, 'kept', '')).toBe(false);
    expect(admin.ratingFlags.run.errorIn(`flag:${id}`)).toMatchObject({ code: 'unknown_flag' });
  });
});

describe('the armed evaluator setting in the console', () => {
  it('is a whole number of seconds from 0 (off) to 600, saved only when changed', () => {
    const fields = settingsFields(DEFAULT_SETTINGS);
    expect(fields.armedRatingSeconds).toBe(0);
    for (const bad of [-1, 601, 2.5, '']) {
      const checked = checkSettings({ ...fields, armedRatingSeconds: bad });
      expect(checked).toMatchObject({ ok: false, problem: { field: 'armedRatingSeconds' } });
    }
    const ok = checkSettings({ ...fields, armedRatingSeconds: 30 });
    expect(ok.ok).toBe(true);
    if (ok.ok)
      expect(changedSettings(ok.value, DEFAULT_SETTINGS)).toEqual({ armedRatingSeconds: 30 });
  });
});
