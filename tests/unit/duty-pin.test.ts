import { describe, expect, it } from 'vitest';
import {
  LOCKOUT_FAILURES,
  LOCKOUT_MS,
  PBKDF2_ITERATIONS,
  PIN_PATTERN,
  lockoutAfter,
  newSalt,
  pinHash,
  pinProof,
  verifyPinProof,
} from '../../src/domain/pin';

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('PIN pattern', () => {
  it('accepts 4 to 8 digits only', () => {
    for (const pin of ['1234', '00000000', '482913']) expect(PIN_PATTERN.test(pin)).toBe(true);
    for (const pin of ['123', '123456789', '12a4', ' 1234', '１２３４', ''])
      expect(PIN_PATTERN.test(pin)).toBe(false);
  });
});

describe('PIN hashing', () => {
  it('is PBKDF2-HMAC-SHA256 (RFC 7914 / published vectors)', async () => {
    expect(await pinHash('password', hex('salt'), 1)).toBe(
      '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b',
    );
    expect(await pinHash('password', hex('salt'), 2)).toBe(
      'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43',
    );
  });

  it('depends on the PIN and the salt', async () => {
    const salt = newSalt();
    const a = await pinHash('1234', salt, 1000);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await pinHash('1234', salt, 1000)).toBe(a);
    expect(await pinHash('1235', salt, 1000)).not.toBe(a);
    expect(await pinHash('1234', newSalt(), 1000)).not.toBe(a);
  });

  it('makes distinct 16-byte salts and uses a slow default', () => {
    const salts = new Set(Array.from({ length: 50 }, newSalt));
    expect(salts.size).toBe(50);
    for (const s of salts) expect(s).toMatch(/^[0-9a-f]{32}$/);
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(100_000);
  });

  it('refuses a bad salt or iteration count', async () => {
    await expect(pinHash('1234', 'xyz', 10)).rejects.toThrow();
    await expect(pinHash('1234', newSalt(), 0)).rejects.toThrow(RangeError);
  });
});

describe('PIN proof', () => {
  it('is HMAC-SHA256 keyed with the hash (RFC 4231 case 2)', async () => {
    expect(await pinProof(hex('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('verifies only for the same hash and event id', async () => {
    const salt = newSalt();
    const hash = await pinHash('2468', salt, 1000);
    const other = await pinHash('2469', salt, 1000);
    const proof = await pinProof(hash, 'event-1');
    expect(await verifyPinProof(hash, 'event-1', proof)).toBe(true);
    expect(await verifyPinProof(hash, 'event-2', proof)).toBe(false);
    expect(await verifyPinProof(other, 'event-1', proof)).toBe(false);
    expect(await verifyPinProof(hash, 'event-1', await pinProof(other, 'event-1'))).toBe(false);
  });

  it('rejects malformed proofs without throwing', async () => {
    const hash = await pinHash('2468', newSalt(), 1000);
    const proof = await pinProof(hash, 'e');
    for (const bad of ['', 'zz', proof.slice(2), proof.toUpperCase(), `${proof}00`])
      expect(await verifyPinProof(hash, 'e', bad)).toBe(false);
    expect(await verifyPinProof('not-hex', 'e', proof)).toBe(false);
  });
});

describe('lockout', () => {
  const t0 = 1_700_000_000_000;
  const times = (n: number, step = 1000) => Array.from({ length: n }, (_, i) => t0 + i * step);

  it('counts down the failures left', () => {
    expect(lockoutAfter([], t0)).toEqual({ locked: false, remainingMs: 0, failuresLeft: 5 });
    expect(lockoutAfter(times(3), t0 + 3000)).toEqual({
      locked: false,
      remainingMs: 0,
      failuresLeft: 2,
    });
  });

  it('locks for five minutes from the fifth failure', () => {
    const fails = times(LOCKOUT_FAILURES);
    const fifth = fails[4]!;
    expect(lockoutAfter(fails, fifth)).toEqual({
      locked: true,
      remainingMs: LOCKOUT_MS,
      failuresLeft: 0,
    });
    expect(lockoutAfter(fails, fifth + 60_000)).toMatchObject({
      locked: true,
      remainingMs: LOCKOUT_MS - 60_000,
    });
    expect(lockoutAfter(fails, fifth + LOCKOUT_MS - 1).locked).toBe(true);
    // The lock ends and the count starts over.
    expect(lockoutAfter(fails, fifth + LOCKOUT_MS)).toEqual({
      locked: false,
      remainingMs: 0,
      failuresLeft: 5,
    });
  });

  it('does not lock when the failures are spread beyond the window', () => {
    const fails = times(5, LOCKOUT_MS / 4 + 1);
    expect(lockoutAfter(fails, fails[4]!).locked).toBe(false);
    expect(lockoutAfter(fails, fails[4]!).failuresLeft).toBeLessThan(5);
  });

  it('forgets old failures', () => {
    expect(lockoutAfter(times(4), t0 + 3000 + LOCKOUT_MS).failuresLeft).toBe(5);
  });

  it('takes failures in any order and locks again after a second burst', () => {
    const first = times(5);
    const second = times(5).map((t) => t + LOCKOUT_MS + 10_000);
    const state = lockoutAfter([...second, ...first].reverse(), second[4]! + 1000);
    expect(state).toMatchObject({ locked: true, remainingMs: LOCKOUT_MS - 1000 });
  });

  it('never reports more than the lock time when the clock went back', () => {
    const fails = times(5).map((t) => t + 3_600_000);
    const state = lockoutAfter(fails, t0);
    expect(state.locked).toBe(true);
    expect(state.remainingMs).toBe(LOCKOUT_MS);
  });
});
