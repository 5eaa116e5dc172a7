import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../src/domain/events';
import { DEFAULT_SETTINGS, applyReferenceEvent, emptyReference } from '../../src/domain/reference';
import {
  changedSettings,
  checkSettings,
  settingsFields,
} from '../../src/screens/admin/reference-forms';

describe('the retention of synced records on devices', () => {
  it('is 90 days unless the hall says otherwise', () => {
    expect(DEFAULT_SETTINGS.deviceRetentionDays).toBe(90);
    expect(emptyReference().settings.deviceRetentionDays).toBe(90);
  });

  it('is a whole number of days from 7 to 3650 in the console, saved only when changed', () => {
    const fields = settingsFields(DEFAULT_SETTINGS);
    expect(fields.deviceRetentionDays).toBe(90);
    const cases: [unknown, string][] = [
      [6, 'invalid_min_value'],
      [3651, 'invalid_max_value'],
      [30.5, 'invalid_integer'],
      ['', 'invalid_integer'],
    ];
    for (const [bad, code] of cases) {
      const checked = checkSettings({ ...fields, deviceRetentionDays: bad as number });
      expect(checked).toMatchObject({ ok: false, problem: { field: 'deviceRetentionDays', code } });
    }
    const ok = checkSettings({ ...fields, deviceRetentionDays: 30 });
    expect(ok.ok).toBe(true);
    if (ok.ok)
      expect(changedSettings(ok.value, DEFAULT_SETTINGS)).toEqual({ deviceRetentionDays: 30 });
  });

  it('is a setting event every device folds, refused out of range', () => {
    expect(validatePayload('ref.settingsSaved', { deviceRetentionDays: 30 }).ok).toBe(true);
    expect(validatePayload('ref.settingsSaved', { deviceRetentionDays: 3 }).ok).toBe(false);
    const ref = emptyReference();
    applyReferenceEvent(ref, {
      v: 1,
      id: '01900000-0000-7000-8000-000000000001',
      type: 'ref.settingsSaved',
      hallId: '01900000-0000-7000-8000-000000000002',
      deviceId: '01900000-0000-7000-8000-000000000003',
      deviceSeq: 1,
      prevHash: null,
      actorId: null,
      at: '2026-03-02T01:00:00.000Z',
      hlc: '2026-03-02T01:00:00.000Z-0000-0000000000000003',
      payload: { deviceRetentionDays: 30 },
    } as never);
    expect(ref.settings.deviceRetentionDays).toBe(30);
  });
});
