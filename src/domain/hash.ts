import canonicalize from 'canonicalize';
import { sha256, toHex } from './sha256';

const utf8 = new TextEncoder();

/** SHA-256 of a text's UTF-8 bytes, in lowercase hex. */
export type TextDigest = (text: string) => string;

/**
 * The domain's own SHA-256: synchronous and dependency-free, so it runs in any browser and inside
 * an IndexedDB transaction. The server passes node:crypto's instead (same bytes, same hash).
 */
export const pureSha256: TextDigest = (text) => toHex(sha256(utf8.encode(text)));

/**
 * Canonical JSON (RFC 8785): the same bytes for the same value on every device and the server,
 * so that hashes chain across machines.
 */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('value cannot be serialised');
  return json;
}

/** SHA-256 of a value's canonical JSON, in lowercase hex. Synchronous, so it can run inside an
 * IndexedDB transaction without letting it commit early. */
export function hashValue(value: unknown, digest: TextDigest = pureSha256): string {
  return digest(canonicalJson(value));
}

export function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}
