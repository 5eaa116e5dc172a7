/** The server's hashing: the domain's canonical JSON, digested by node:crypto. */
import { createHash } from 'node:crypto';
import { hashValue, type TextDigest } from '../domain/hash';

/**
 * SHA-256 of a text's UTF-8 bytes by node:crypto: the same hex as the domain's pure digest (a
 * lone surrogate becomes U+FFFD in both encoders), several times faster.
 */
export const nodeSha256: TextDigest = (text) =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/** The hash of a value as every device computes it (domain/hash.ts), computed natively. */
export function serverHashValue(value: unknown): string {
  return hashValue(value, nodeSha256);
}
