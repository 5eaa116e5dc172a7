/** The server's hashing: the domain's canonical JSON, digested by node:crypto. */
import { hash } from 'node:crypto';
import { canonicalJson, type TextDigest } from '../domain/hash';

/**
 * SHA-256 of a text's UTF-8 bytes by node:crypto: the same hex as the domain's pure digest (a
 * lone surrogate becomes U+FFFD in both encoders), several times faster.
 */
export const nodeSha256: TextDigest = (text) => hash('sha256', text, 'hex');

/** Thrown inside {@link plainCanonical} at anything that is not plain JSON data. */
const NOT_PLAIN = Symbol('not plain JSON data');

/**
 * RFC 8785 canonical JSON of plain JSON data (what JSON.parse gives: objects, arrays, strings,
 * finite numbers, booleans, null): the same text as canonicalJson, without its checks for what
 * such data cannot hold. Throws NOT_PLAIN at anything else.
 */
function plainCanonical(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += plainCanonical(value[i]);
        }
        return out + ']';
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
      const object = value as Record<string, unknown>;
      if (typeof object['toJSON'] === 'function') throw NOT_PLAIN;
      // Sorted by UTF-16 code units, as RFC 8785 (and canonicalJson) sort.
      const keys = Object.keys(object).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (i > 0) out += ',';
        out += JSON.stringify(key) + ':' + plainCanonical(object[key]);
      }
      return out + '}';
    }
    default:
      // undefined, functions, symbols, bigints: canonicalJson decides.
      throw NOT_PLAIN;
  }
}

/** plainCanonical's text, or null for what is not plain JSON data. */
function plainOrNull(value: unknown): string | null {
  try {
    return plainCanonical(value);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return null;
  }
}

/**
 * The canonical JSON of a value, as canonicalJson gives it: plain JSON data (every request body)
 * serialised directly, anything else by canonicalJson itself.
 */
export function serverCanonicalJson(value: unknown): string {
  const text = plainOrNull(value);
  // JSON.stringify writes a lone surrogate as an escape (\udxxx), which canonicalJson refuses:
  // text that may hold one (rare; a written backslash followed by "ud" too) is left to it.
  return text === null || text.includes('\\ud') ? canonicalJson(value) : text;
}

/**
 * The canonical JSON of plain JSON data whose text holds neither a lone surrogate nor NUL (what
 * can be hashed and stored as it is, see isWellFormedText), as canonicalJson gives it; null for
 * anything else, or text that may hold either (JSON.stringify escapes both).
 */
export function wellFormedCanonicalJson(value: unknown): string | null {
  const text = plainOrNull(value);
  return text === null || text.includes('\\ud') || text.includes('\\u0000') ? null : text;
}

/** The hash of a value as every device computes it (domain/hash.ts), computed natively. */
export function serverHashValue(value: unknown): string {
  return nodeSha256(serverCanonicalJson(value));
}
