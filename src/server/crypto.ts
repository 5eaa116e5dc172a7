/** Tokens, codes, password hashes and window-card signatures. */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomInt,
  scrypt as scryptCb,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A long random secret (device tokens, session tokens): 256 bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B). */
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
const CODE_LENGTH = 8;

/** A one-time enrollment code, 8 characters, as typed back: `XXXX-XXXX`. */
export function newEnrollmentCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The code as stored (hashed): upper case, without dashes or spaces. */
export function normalizeEnrollmentCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '');
}

/** A random administrator password: 20 characters from an unambiguous alphabet (≈ 118 bits). */
export function newPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679';
  let out = '';
  for (let i = 0; i < 20; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

/** `scrypt$N$r$p$salt$hash`, all base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const hash = await scrypt(password, salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

/** A new hall secret for signing window cards. */
export function newHallSecret(): string {
  return randomBytes(32).toString('base64url');
}

const SIG_LENGTH = 22;

/** The window card's signature: base64url HMAC-SHA256(hall secret, window code), 22 characters. */
export function signWindow(secret: string, code: string): string {
  return createHmac('sha256', secret).update(code).digest('base64url').slice(0, SIG_LENGTH);
}

/** Check a card signature in constant time. */
export function verifyWindowSig(secret: string, code: string, sig: unknown): boolean {
  if (typeof sig !== 'string' || sig.length !== SIG_LENGTH) return false;
  const expected = Buffer.from(signWindow(secret, code));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A key for sealing personal data (call-back numbers), named by `id` so it can rotate. */
export interface SealingKey {
  id: string;
  key: Buffer;
}

/** The key's name: the first 16 hex digits of its SHA-256, so the key itself is never stored. */
export function sealingKey(key: Buffer): SealingKey {
  if (key.length !== 32) throw new Error('a sealing key must be 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** AES-256-GCM: a fresh 12-byte IV; the ciphertext ends with the 16-byte tag. */
export function seal(key: SealingKey, plain: string): { iv: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { iv, ciphertext: Buffer.concat([body, cipher.getAuthTag()]) };
}

/** The sealed text, or an error when the key is wrong or the ciphertext was altered. */
export function unseal(key: SealingKey, iv: Buffer, ciphertext: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  return Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]).toString('utf8');
}
