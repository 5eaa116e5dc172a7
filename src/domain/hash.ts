import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';

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
export function hashValue(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
