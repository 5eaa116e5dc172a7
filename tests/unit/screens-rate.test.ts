import { describe, expect, it } from 'vitest';
import { WriteError, type Phone, type RatingInput } from '../../src/app/device-api';
import type { EventEnvelope } from '../../src/domain/events';
import type { Id } from '../../src/domain/ids';
import { newId } from '../../src/domain/ids';
import { RateState, type RateDeps } from '../../src/screens/rate/rate-state.svelte';
import type { PublicWindowResponse } from '../../src/sync/protocol';
import { INITIAL_STATUS } from '../../src/sync/status';

const info: PublicWindowResponse = {
  hallId: newId(),
  hallName: '市民服务中心',
  window: { id: newId(), code: 'A01', name: 'A01 窗口' },
  department: { id: newId(), code: 'TAX', name: '税务' },
  settings: { phoneRatingIntervalMinutes: 10 },
  serverTime: new Date().toISOString(),
};

class CodedError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function fakePhone(failWith?: unknown) {
  const recorded: RatingInput[] = [];
  const numbers: [Id, string][] = [];
  let numberFails = false;
  let outcome: ((id: Id, o: 'stored' | 'refused', reason?: string) => void) | null = null;
  let release: (() => void) | null = null;
  const phone: Phone = {
    recordRating(input) {
      recorded.push(input);
      return new Promise<EventEnvelope<'rating.submitted'>>((resolve, reject) => {
        release = () =>
          failWith
            ? reject(failWith)
            : resolve({ id: `rating-${recorded.length}` } as EventEnvelope<'rating.submitted'>);
      });
    },
    onStatus(cb) {
      cb({ ...INITIAL_STATUS, pending: 2 });
      return () => undefined;
    },
    onOutcome(cb) {
      outcome = cb;
      return () => undefined;
    },
    requestSync: () => undefined,
    progress: async () => [],
    followUp: async () => undefined,
    async leaveCallbackNumber(ratingId, number) {
      if (numberFails) throw new DOMException('quota', 'QuotaExceededError');
      numbers.push([ratingId, number]);
    },
    stop: () => undefined,
  };
  return {
    phone,
    recorded,
    numbers,
    failNumbers: () => (numberFails = true),
    release: () => release?.(),
    refuse: (id: Id, reason: string) => outcome?.(id, 'refused', reason),
  };
}

function deps(phone: Phone, load?: RateDeps['loadPublicWindow']): RateDeps {
  return {
    loadPublicWindow: load ?? (async () => info),
    openPhone: async () => phone,
  };
}

async function readyPage(failWith?: unknown) {
  const fake = fakePhone(failWith);
  const rate = new RateState(deps(fake.phone), 'A01', 'sig');
  await rate.start();
  return { rate, fake };
}

describe('RateState', () => {
  it('shows the link error without asking the server when the signature is missing', async () => {
    let asked = false;
    const rate = new RateState(
      deps(fakePhone().phone, async () => {
        asked = true;
        return info;
      }),
      'A01',
      null,
    );
    await rate.start();
    expect(rate.phase).toBe('linkError');
    expect(asked).toBe(false);
  });

  it.each([
    ['bad_signature', 'linkError'],
    ['unknown_window', 'linkError'],
    ['offline_uncached', 'offline'],
    ['something_else', 'failed'],
  ] as const)('maps a window that fails to load with %s to %s', async (code, phase) => {
    const rate = new RateState(
      deps(fakePhone().phone, async () => {
        throw new CodedError(code);
      }),
      'A01',
      'sig',
    );
    await rate.start();
    expect(rate.phase).toBe(phase);
  });

  it('loads the window and the phone status', async () => {
    const { rate } = await readyPage();
    expect(rate.phase).toBe('ready');
    expect(rate.window?.window.name).toBe('A01 窗口');
    expect(rate.status.pending).toBe(2);
  });

  it('asks for a level first and saves nothing', async () => {
    const { rate, fake } = await readyPage();
    await rate.submit();
    expect(rate.invalid).toBe('rating.needLevel');
    expect(fake.recorded).toHaveLength(0);
  });

  it('needs a reason or comment for a poor rating', async () => {
    const { rate, fake } = await readyPage();
    rate.choose('dissatisfied');
    expect(rate.poor).toBe(true);
    await rate.submit();
    expect(rate.invalid).toBe('rating.needReason');
    expect(fake.recorded).toHaveLength(0);
    rate.reasons = ['too_many_documents'];
    expect(rate.invalid).toBeNull();
  });

  it('thanks the citizen only after the rating is saved', async () => {
    const { rate, fake } = await readyPage();
    rate.choose('very_dissatisfied');
    rate.reasons = ['had_to_come_back'];
    rate.comment = ' 跑了三次 ';
    rate.ticket = ' Q-0815 ';
    const saving = rate.submit();
    expect(rate.saving).toBe(true);
    expect(rate.thanked).toBeNull();
    fake.release();
    await saving;
    expect(rate.thanked).toBe('very_dissatisfied');
    expect(fake.recorded[0]).toEqual({
      level: 'very_dissatisfied',
      reasons: ['had_to_come_back'],
      comment: '跑了三次',
      ticket: 'Q-0815',
      windowId: info.window.id,
      departmentId: info.department.id,
    });
    rate.again();
    expect(rate.thanked).toBeNull();
    expect(rate.level).toBeNull();
    expect(rate.ticket).toBe('');
  });

  it('takes an optional call-back number after a 差评, checked before it is kept', async () => {
    const { rate, fake } = await readyPage();
    rate.choose('dissatisfied');
    rate.reasons = ['attitude'];
    const saving = rate.submit();
    fake.release();
    await saving;
    expect(rate.callback).toBe('ask');

    for (const bad of ['', '2581234567', '1381234567', '138123456789', '一三八', '138abc45678']) {
      rate.callbackNumber = bad;
      await rate.leaveNumber();
      expect(rate.callback, bad).toBe('invalid');
    }
    expect(fake.numbers).toEqual([]);
    rate.callbackNumber = '138 1234 5678';
    expect(rate.callback).toBe('ask'); // typing again clears the message
    await rate.leaveNumber();
    expect(rate.callback).toBe('kept');
    expect(fake.numbers).toEqual([['rating-1', '138 1234 5678']]);
    expect(rate.callbackNumber).toBe('');
    await rate.leaveNumber(); // once per 差评
    expect(fake.numbers).toHaveLength(1);

    rate.again();
    expect(rate.callback).toBe('ask');
    await rate.leaveNumber(); // nothing thanked for: nothing to call back about
    expect(fake.numbers).toHaveLength(1);
  });

  it('says so when the phone cannot keep the number, and lets the citizen retry', async () => {
    const { rate, fake } = await readyPage();
    rate.choose('very_dissatisfied');
    rate.comment = '态度差';
    const saving = rate.submit();
    fake.release();
    await saving;
    fake.failNumbers();
    rate.callbackNumber = '13912345678';
    await rate.leaveNumber();
    expect(rate.callback).toBe('failed');
    expect(rate.callbackNumber).toBe('13912345678');
  });

  it('drops reasons and comment when the citizen changes to a good level', async () => {
    const { rate, fake } = await readyPage();
    rate.choose('dissatisfied');
    rate.reasons = ['attitude'];
    rate.comment = 'x';
    rate.choose('satisfied');
    const saving = rate.submit();
    fake.release();
    await saving;
    expect(fake.recorded[0]).toMatchObject({
      level: 'satisfied',
      reasons: [],
      comment: '',
      ticket: null,
    });
  });

  it('answers a local refusal politely and keeps the page usable', async () => {
    const { rate, fake } = await readyPage(new WriteError('duplicate_ticket'));
    rate.choose('satisfied');
    rate.ticket = 'A-1';
    const saving = rate.submit();
    fake.release();
    await saving;
    expect(rate.thanked).toBeNull();
    expect(rate.error).toBe('duplicate_ticket');
    expect(rate.saving).toBe(false);
    expect(rate.level).toBeNull();
  });

  it('keeps the form when the phone storage is full', async () => {
    const { rate, fake } = await readyPage(new WriteError('storage_full'));
    rate.choose('satisfied');
    const saving = rate.submit();
    fake.release();
    await saving;
    expect(rate.error).toBe('storage_full');
    expect(rate.level).toBe('satisfied');
  });

  it('lists ratings the server refused later', async () => {
    const { rate, fake } = await readyPage();
    const id = newId();
    fake.refuse(id, 'too_soon');
    expect(rate.refusals).toEqual([{ eventId: id, reason: 'too_soon' }]);
  });
});
