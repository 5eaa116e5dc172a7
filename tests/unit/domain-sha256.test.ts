import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, toHex } from '../../src/domain/sha256';

const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180-4 examples', () => {
    const enc = new TextEncoder();
    expect(toHex(sha256(enc.encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(sha256(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(
      toHex(sha256(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto at every length around the block boundaries and on random data', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = randomBytes(n);
      expect(toHex(sha256(bytes))).toBe(reference(bytes));
    }
    for (let i = 0; i < 50; i++) {
      const bytes = randomBytes(1 + Math.floor(Math.random() * 5000));
      expect(toHex(sha256(bytes))).toBe(reference(bytes));
    }
  });
});
