/** A citizen's phone against the in-process server: window cards, browser profiles, open phones. */
import { afterEach } from 'vitest';
import {
  loadPublicWindow,
  openPhone,
  type PhoneOptions,
  type PhoneSession,
} from '../../src/app/phone';
import { newId } from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import type { TestServer } from '../support/server';
import { ManualTimers } from './fake-api';

/**
 * Helpers for phones talking to `server()` (read when called, so a suite may start its server in
 * `beforeAll`). Phones opened through `phoneAt` are stopped after each test.
 */
export function phoneFixtures(server: () => TestServer) {
  const running: PhoneSession[] = [];
  afterEach(() => {
    for (const p of running.splice(0)) p.stop();
  });

  /** A window's card as the seed printed it, with the signature from its QR code's URL. */
  const card = (code = 'A01') => {
    const w = server().seed.windows.find((x) => x.code === code)!;
    return { ...w, sig: new URLSearchParams(w.ratingPath.split('?')[1]).get('s')! };
  };

  /** A phone's browser profile: its own settings (phone id, cached cards) and database. */
  function phoneProfile(extra: Partial<PhoneOptions> = {}): PhoneOptions {
    const timers = new ManualTimers();
    return {
      baseUrl: server().url,
      settings: new DeviceSettings(memoryStore()),
      dbName: `phone-${newId()}`,
      triggers: false,
      random: () => 0.5,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      ...extra,
    };
  }

  /** Open a phone on a window's card, recording the server's answer for each of its ratings. */
  async function phoneAt(code: string, profile: PhoneOptions) {
    const c = card(code);
    const window = await loadPublicWindow(c.code, c.sig, profile);
    const phone = await openPhone(c.code, c.sig, window, profile);
    running.push(phone);
    const outcomes: { id: string; outcome: string; reason?: string }[] = [];
    phone.onOutcome((id, outcome, reason) =>
      outcomes.push({ id, outcome, ...(reason ? { reason } : {}) }),
    );
    return { phone, window, outcomes, card: c };
  }

  return { card, phoneProfile, phoneAt, running };
}
