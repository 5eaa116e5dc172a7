import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { MAX_PHOTO_BYTES } from '../../src/domain/events';
import {
  JPEG_QUALITIES,
  PHOTO_MAX_EDGE,
  PHOTO_TARGET_BYTES,
  fitWithin,
  imageTypeOf,
  isStorable,
  nextQuality,
  sha256Hex,
} from '../../src/app/photo';

describe('photo size', () => {
  it.each([
    [4032, 3024, 1600, 1200],
    [3024, 4032, 1200, 1600],
    [1600, 900, 1600, 900],
    [800, 600, 800, 600],
    [10000, 10, 1600, 2],
    [10, 10000, 2, 1600],
    [20000, 1, 1600, 1],
  ])('fits %i×%i into %i×%i', (w, h, ew, eh) => {
    expect(fitWithin(w, h)).toEqual({ width: ew, height: eh });
  });

  it('never scales up and keeps the long edge within the limit', () => {
    for (let w = 1; w < 6000; w += 397) {
      for (let h = 1; h < 6000; h += 541) {
        const out = fitWithin(w, h);
        expect(Math.max(out.width, out.height)).toBeLessThanOrEqual(Math.max(PHOTO_MAX_EDGE, 1));
        expect(out.width).toBeLessThanOrEqual(w);
        expect(out.height).toBeLessThanOrEqual(h);
      }
    }
  });
});

describe('photo quality', () => {
  it('stops as soon as an encoding fits the target', () => {
    expect(nextQuality(0.85, PHOTO_TARGET_BYTES)).toBeNull();
    expect(nextQuality(0.85, 1000)).toBeNull();
  });

  it('tries each lower quality in turn, then gives up', () => {
    const tried: number[] = [];
    let q: number | null = JPEG_QUALITIES[0]!;
    while (q !== null) {
      tried.push(q);
      q = nextQuality(q, PHOTO_TARGET_BYTES + 1);
    }
    expect(tried).toEqual([...JPEG_QUALITIES]);
    expect([...tried].sort((a, b) => b - a)).toEqual(tried);
  });

  it('keeps only encodings the server takes', () => {
    expect(isStorable(PHOTO_TARGET_BYTES)).toBe(true);
    expect(isStorable(MAX_PHOTO_BYTES)).toBe(true);
    expect(isStorable(MAX_PHOTO_BYTES + 1)).toBe(false);
    expect(isStorable(0)).toBe(false);
  });

  it('tells JPEG, PNG and WebP apart by their first bytes', () => {
    const bytes = (...b: number[]) => new Uint8Array([...b, 0, 0, 0, 0]);
    expect(imageTypeOf(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(imageTypeOf(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image/png');
    const webp = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
    expect(imageTypeOf(webp)).toBe('image/webp');
    expect(imageTypeOf(new TextEncoder().encode('GIF89a'))).toBeNull();
    expect(imageTypeOf(new Uint8Array())).toBeNull();
  });

  it('names bytes by their SHA-256', async () => {
    const bytes = new TextEncoder().encode('照片').buffer as ArrayBuffer;
    expect(await sha256Hex(bytes)).toBe(
      createHash('sha256').update(Buffer.from(bytes)).digest('hex'),
    );
  });
});
