import { describe, expect, it } from 'vitest';
import { SignInError } from '../../src/app/device-api';
import { PIN_MAX, PinEntry, pinProblemOf, remainingText } from '../../src/screens/pin-entry.svelte';
import { manualTime } from './manual-time';

function entry(options: { accepting?: () => boolean } = {}) {
  const time = manualTime();
  let activity = 0;
  const pin = new PinEntry({
    accepting: options.accepting,
    onActivity: () => activity++,
    timers: time.timers,
    now: time.now,
  });
  return { pin, time, activity: () => activity };
}

function type(pin: PinEntry, digits: string) {
  for (const d of digits) pin.pressDigit(d);
}

describe('PIN entry of the kiosks', () => {
  it('takes up to eight digits, ignores other keys, and edits them back', () => {
    const { pin, activity } = entry();
    type(pin, '12a3x');
    expect(pin.length).toBe(3);
    expect(pin.canSubmit).toBe(false);
    type(pin, '4');
    expect(pin.canSubmit).toBe(true);
    type(pin, '567890');
    expect(pin.length).toBe(PIN_MAX);
    pin.backspace();
    expect(pin.length).toBe(PIN_MAX - 1);
    pin.clear();
    expect(pin.length).toBe(0);
    // Only keys that changed the pad count as activity.
    expect(activity()).toBe(PIN_MAX + 2);
  });

  it('takes no digits while its step is not shown', () => {
    let shown = false;
    const { pin } = entry({ accepting: () => shown });
    type(pin, '1234');
    expect(pin.length).toBe(0);
    shown = true;
    type(pin, '1234');
    expect(pin.length).toBe(4);
  });

  it('hands the typed PIN to the check once, clears the pad, and keeps no problem on success', async () => {
    const { pin } = entry();
    const checked: string[] = [];
    type(pin, '12');
    await pin.submit(async (p) => void checked.push(p));
    expect(pin.problem).toEqual({ code: 'pin_format' });
    expect(checked).toEqual([]);

    type(pin, '3456');
    let busyDuringCheck = false;
    await pin.submit(async (p) => {
      busyDuringCheck = pin.busy;
      checked.push(p);
    });
    expect(checked).toEqual(['123456']);
    expect(busyDuringCheck).toBe(true);
    expect(pin.busy).toBe(false);
    expect(pin.length).toBe(0);
    expect(pin.problem).toBeNull();
  });

  it('tells a wrong PIN with the tries left, keeping it while the next PIN is typed', async () => {
    const { pin } = entry();
    type(pin, '0000');
    await pin.submit(() => Promise.reject(new SignInError('wrong_pin', 2)));
    expect(pin.problem).toEqual({ code: 'wrong_pin', failuresLeft: 2 });
    expect(pin.length).toBe(0);
    type(pin, '1');
    expect(pin.problem).toEqual({ code: 'wrong_pin', failuresLeft: 2 });
  });

  it('counts a lockout down by the second and takes a PIN again when it ends', async () => {
    const { pin, time } = entry();
    type(pin, '0000');
    await pin.submit(() => Promise.reject(new SignInError('locked', 0, 90_000)));
    expect(pin.problem).toEqual({ code: 'locked' });
    expect(pin.locked).toBe(true);
    expect(remainingText(pin.remainingMs)).toBe('1:30');

    type(pin, '1234');
    expect(pin.length).toBe(0);
    let called = false;
    await pin.submit(async () => void (called = true));
    expect(called).toBe(false);

    time.advance(30_500);
    expect(remainingText(pin.remainingMs)).toBe('1:00');
    time.advance(59_500);
    expect(pin.locked).toBe(false);
    expect(pin.problem).toBeNull();
    expect(time.pending()).toBe(0);
    type(pin, '1234');
    expect(pin.length).toBe(4);
  });

  it('forgets digits, problem and lockout on reset, and stops counting', () => {
    const { pin, time } = entry();
    pin.lock(60_000);
    expect(pin.locked).toBe(true);
    pin.reset();
    expect(pin.locked).toBe(false);
    expect(time.pending()).toBe(0);
    pin.lock(60_000);
    pin.stop();
    expect(time.pending()).toBe(0);
  });

  it('words every refusal by its reason code; anything else is a storage problem', () => {
    expect(pinProblemOf(new SignInError('no_pin'))).toEqual({ code: 'no_pin' });
    expect(pinProblemOf(new SignInError('unknown_leader'))).toEqual({ code: 'unknown_leader' });
    expect(pinProblemOf(new SignInError('session_closed'))).toEqual({ code: 'storage' });
    expect(pinProblemOf(new Error('disk'))).toEqual({ code: 'storage' });
    expect(remainingText(1)).toBe('0:01');
    expect(remainingText(0)).toBe('0:00');
  });
});
