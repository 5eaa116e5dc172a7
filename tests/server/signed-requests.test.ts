import { describe, expect, it } from 'vitest';
import {
  SIGNATURE_HEADERS,
  SIGNATURE_WINDOW_MS,
  exportPublicKey,
  generateDeviceKey,
  importPublicKey,
  signRequest,
  toBase64Url,
  verifyRequest,
} from '../../src/sync/signing';

const push = {
  method: 'POST',
  path: '/api/sync/push',
  body: JSON.stringify({ events: [{ type: 'rating', score: 1 }] }),
};
const NOW = Date.UTC(2026, 10, 21, 9, 0, 0);

async function enrolledKey(): Promise<{ pair: CryptoKeyPair; stored: CryptoKey }> {
  const pair = await generateDeviceKey();
  const stored = await importPublicKey(await exportPublicKey(pair.publicKey));
  if (!stored) throw new Error('the exported public key does not import');
  return { pair, stored };
}

describe('device request signatures', () => {
  it('keeps the private key inside WebCrypto', async () => {
    const pair = await generateDeviceKey();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
  });

  it('accepts a request signed by the enrolled key, with a device clock a day behind', async () => {
    const { pair, stored } = await enrolledKey();
    const headers = await signRequest(pair.privateKey, push, NOW - SIGNATURE_WINDOW_MS + 60_000);
    const verdict = await verifyRequest(stored, push, headers, NOW);
    expect(verdict.ok).toBe(true);
  });

  it('refuses a token copied to another machine: a fresh key signs nothing the server accepts', async () => {
    const { stored } = await enrolledKey();
    const thief = await generateDeviceKey();
    const headers = await signRequest(thief.privateKey, push, NOW);
    expect(await verifyRequest(stored, push, headers, NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses an altered body, path, method or time', async () => {
    const { pair, stored } = await enrolledKey();
    const headers = await signRequest(pair.privateKey, push, NOW);
    const altered = [
      { ...push, body: push.body.replace('"score":1', '"score":3') },
      { ...push, path: '/api/sync/push?hall=2' },
      { ...push, method: 'PUT' },
    ];
    for (const parts of altered) {
      expect((await verifyRequest(stored, parts, headers, NOW)).ok).toBe(false);
    }
    const retimed = { ...headers, [SIGNATURE_HEADERS.time]: String(NOW + 1) };
    expect(await verifyRequest(stored, push, retimed, NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses missing, malformed and out-of-window signatures with a reason', async () => {
    const { pair, stored } = await enrolledKey();
    const headers = await signRequest(pair.privateKey, push, NOW);
    expect(await verifyRequest(stored, push, {}, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(
      await verifyRequest(
        stored,
        push,
        { ...headers, [SIGNATURE_HEADERS.signature]: 'not base64url!' },
        NOW,
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
    const old = await signRequest(pair.privateKey, push, NOW - SIGNATURE_WINDOW_MS - 1);
    expect(await verifyRequest(stored, push, old, NOW)).toEqual({ ok: false, reason: 'stale' });
  });

  it('imports only P-256 public keys', async () => {
    expect(await importPublicKey('')).toBeNull();
    expect(await importPublicKey('AAAA')).toBeNull();
    const rsa = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    expect(
      await importPublicKey(toBase64Url(await crypto.subtle.exportKey('spki', rsa.publicKey))),
    ).toBeNull();
  });
});
