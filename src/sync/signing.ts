/**
 * Device request signatures. An enrolled device holds an ECDSA P-256 key pair whose private half
 * cannot be exported; every request it makes with its token carries its time, a random nonce and
 * a signature over the method, the path with its query, both of these and the SHA-256 of the body.
 * A token copied elsewhere is useless without the key, and a body altered in transit fails.
 */

export const SIGNATURE_HEADERS = {
  time: 'x-device-time',
  nonce: 'x-device-nonce',
  signature: 'x-device-signature',
} as const;

/** How far a signed time may be from the server's (device clocks drift; a day is allowed). */
export const SIGNATURE_WINDOW_MS = 24 * 60 * 60 * 1000;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (const byte of view) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  try {
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** A new key pair for a device; the private key never leaves WebCrypto. */
export async function generateDeviceKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
}

/** The public half as SPKI, base64url, as the enrollment request carries it. */
export async function exportPublicKey(key: CryptoKey): Promise<string> {
  return toBase64Url(await crypto.subtle.exportKey('spki', key));
}

/** The stored public key, or null when it is not a P-256 SPKI key. */
export async function importPublicKey(spki: string): Promise<CryptoKey | null> {
  const bytes = fromBase64Url(spki);
  if (!bytes || bytes.length < 60 || bytes.length > 200) return null;
  try {
    return await crypto.subtle.importKey('spki', bytes, ALGORITHM, false, ['verify']);
  } catch {
    return null;
  }
}

async function bodyDigest(body: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return toBase64Url(await crypto.subtle.digest('SHA-256', bytes));
}

export interface SignedParts {
  method: string;
  /** Path with its query, as sent (e.g. `/api/sync/pull?after=3`). */
  path: string;
  body: string | Uint8Array<ArrayBuffer>;
}

async function canonical(
  parts: SignedParts,
  time: string,
  nonce: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const digest = await bodyDigest(parts.body);
  return new TextEncoder().encode(
    `${parts.method.toUpperCase()}\n${parts.path}\n${time}\n${nonce}\n${digest}`,
  );
}

/** Headers that sign one request; `now` is the device's server-corrected time. */
export async function signRequest(
  privateKey: CryptoKey,
  parts: SignedParts,
  now: number,
): Promise<Record<string, string>> {
  const time = String(Math.round(now));
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const signature = await crypto.subtle.sign(SIGN, privateKey, await canonical(parts, time, nonce));
  return {
    [SIGNATURE_HEADERS.time]: time,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: toBase64Url(signature),
  };
}

export type SignatureVerdict =
  | { ok: true; time: number; nonce: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/** Verifies one request's signature headers against the device's public key: one verify. */
export async function verifyRequest(
  publicKey: CryptoKey,
  parts: SignedParts,
  headers: Record<string, string | string[] | undefined>,
  serverNow: number,
): Promise<SignatureVerdict> {
  const pick = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? undefined : value;
  };
  const time = pick(SIGNATURE_HEADERS.time);
  const nonce = pick(SIGNATURE_HEADERS.nonce);
  const signature = pick(SIGNATURE_HEADERS.signature);
  if (time === undefined || nonce === undefined || signature === undefined) {
    return { ok: false, reason: 'missing' };
  }
  const signatureBytes = fromBase64Url(signature);
  if (!/^\d{1,16}$/.test(time) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce) || !signatureBytes) {
    return { ok: false, reason: 'malformed' };
  }
  const at = Number(time);
  if (Math.abs(at - serverNow) > SIGNATURE_WINDOW_MS) return { ok: false, reason: 'stale' };
  const valid = await crypto.subtle.verify(
    SIGN,
    publicKey,
    signatureBytes,
    await canonical(parts, time, nonce),
  );
  return valid ? { ok: true, time: at, nonce } : { ok: false, reason: 'mismatch' };
}

/** Signs one request of an enrolled device: the headers to send with it. */
export type RequestSigner = (parts: SignedParts) => Promise<Record<string, string>>;

/** A signer with the device's private key and its server-corrected clock. */
export function requestSigner(privateKey: CryptoKey, serverNow: () => number): RequestSigner {
  return (parts) => signRequest(privateKey, parts, serverNow());
}

/** Whether a stored value is a usable signing key pair (storage may hand back anything). */
export function isDeviceKeyPair(value: unknown): value is CryptoKeyPair {
  const pair = value as Partial<CryptoKeyPair> | null;
  return (
    !!pair &&
    typeof CryptoKey !== 'undefined' &&
    pair.privateKey instanceof CryptoKey &&
    pair.publicKey instanceof CryptoKey &&
    pair.privateKey.type === 'private' &&
    pair.privateKey.usages.includes('sign')
  );
}
