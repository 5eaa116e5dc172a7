/**
 * Leaders' PINs, checked offline on duty kiosks. A kiosk holds each leader's salted PBKDF2 hash
 * (never the PIN); at sign-in it derives the hash from the typed PIN and proves it knew the hash
 * with an HMAC over the sign-in event's id, which the server checks against its own copy.
 * WebCrypto only, so the same code runs in browsers and in Node 20.
 */

/** A PIN is 4 to 8 digits. */
export const PIN_PATTERN = /^\d{4,8}$/;
export const PBKDF2_ITERATIONS = 100_000;
export const SALT_BYTES = 16;

/** Failures within LOCKOUT_MS that lock a leader out on a kiosk, and for how long. */
export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_MS = 5 * 60_000;

const HEX = /^(?:[0-9a-f]{2})+$/;

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const b of view) out += b.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  if (!HEX.test(hex)) throw new TypeError('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A fresh random salt, lowercase hex. */
export function newSalt(): string {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
}

/** PBKDF2-HMAC-SHA256 of the PIN: 32 bytes, lowercase hex. */
export async function pinHash(pin: string, saltHex: string, iterations: number): Promise<string> {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('bad iteration count');
  const key = await subtle().importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await subtle().deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromHex(saltHex), iterations },
    key,
    256,
  );
  return toHex(bits);
}

function hmacKey(hashHex: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return subtle().importKey('raw', fromHex(hashHex), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

/** HMAC-SHA256 of the event id keyed with the PIN hash: what a sign-in event carries. */
export async function pinProof(hashHex: string, eventId: string): Promise<string> {
  const key = await hmacKey(hashHex, 'sign');
  return toHex(await subtle().sign('HMAC', key, new TextEncoder().encode(eventId)));
}

/** Whether a proof was made with that hash for that event (compared in constant time). */
export async function verifyPinProof(
  hashHex: string,
  eventId: string,
  proof: string,
): Promise<boolean> {
  if (typeof proof !== 'string' || proof.length !== 64 || !HEX.test(proof)) return false;
  if (!HEX.test(hashHex)) return false;
  const key = await hmacKey(hashHex, 'verify');
  return subtle().verify('HMAC', key, fromHex(proof), new TextEncoder().encode(eventId));
}

export interface Lockout {
  locked: boolean;
  /** Time until the lock ends; 0 when not locked. */
  remainingMs: number;
  /** Wrong PINs still allowed before a lock; 0 when locked. */
  failuresLeft: number;
}

/**
 * Lock state from the times of recent wrong PINs: LOCKOUT_FAILURES failures within LOCKOUT_MS
 * lock for LOCKOUT_MS from the last of them. Failures before a lock ended start no new count.
 * A failure stamped after nowMs (the clock went back) still counts, and a lock never reports
 * more than LOCKOUT_MS remaining.
 */
export function lockoutAfter(failures: readonly number[], nowMs: number): Lockout {
  const sorted = [...failures].filter(Number.isFinite).sort((a, b) => a - b);
  let lockedUntil = -Infinity;
  let window: number[] = [];
  for (const t of sorted) {
    if (t < lockedUntil) continue;
    window = window.filter((w) => w > t - LOCKOUT_MS);
    window.push(t);
    if (window.length >= LOCKOUT_FAILURES) {
      lockedUntil = t + LOCKOUT_MS;
      window = [];
    }
  }
  if (nowMs < lockedUntil) {
    return {
      locked: true,
      remainingMs: Math.min(lockedUntil - nowMs, LOCKOUT_MS),
      failuresLeft: 0,
    };
  }
  const recent = window.filter((w) => w > nowMs - LOCKOUT_MS).length;
  return { locked: false, remainingMs: 0, failuresLeft: Math.max(0, LOCKOUT_FAILURES - recent) };
}
