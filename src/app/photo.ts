/**
 * Photos taken on the inspection tablet, made small enough to keep and upload: refused unless an
 * image, downscaled to at most PHOTO_MAX_EDGE px on the long edge, re-encoded as JPEG at falling
 * quality until it fits PHOTO_TARGET_BYTES, and named by its SHA-256 (design §4).
 *
 * The decisions (how large, which quality next) are pure functions tested in Node; the decoding
 * and encoding are the browser's (createImageBitmap and a canvas, OffscreenCanvas where there is
 * one).
 */
import { MAX_PHOTO_BYTES, type PHOTO_TYPES } from '../domain/events';
import { sha256Hex as domainSha256 } from '../domain/hash';
import { PhotoError } from './device-api';

/** Longest edge of a stored photo, in px. */
export const PHOTO_MAX_EDGE = 1600;
/** What a stored photo should weigh at most; a few hundred KB keeps uploads quick on hall Wi-Fi. */
export const PHOTO_TARGET_BYTES = 300 * 1024;
/** JPEG qualities tried in turn until the photo fits the target. */
export const JPEG_QUALITIES: readonly number[] = [0.85, 0.75, 0.65, 0.55, 0.45, 0.35];

export interface PreparedPhoto {
  bytes: ArrayBuffer;
  type: 'image/jpeg';
  size: number;
  sha256: string;
}

/** Size to draw an image at: scaled down (never up) so its long edge is at most `maxEdge`. */
export function fitWithin(
  width: number,
  height: number,
  maxEdge = PHOTO_MAX_EDGE,
): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxEdge) return { width, height };
  const scale = maxEdge / long;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * The quality to try after an encoding at `quality` weighed `size` bytes, or null to stop: it fits
 * the target, or no lower quality is left.
 */
export function nextQuality(quality: number, size: number): number | null {
  if (size <= PHOTO_TARGET_BYTES) return null;
  const lower = JPEG_QUALITIES.filter((q) => q < quality);
  return lower.length > 0 ? Math.max(...lower) : null;
}

/** Whether an encoding of this size may be kept at all (the server takes up to MAX_PHOTO_BYTES). */
export function isStorable(size: number): boolean {
  return size > 0 && size <= MAX_PHOTO_BYTES;
}

/** The image type of some bytes by their signature (JPEG, PNG, WebP), or null. */
export function imageTypeOf(bytes: Uint8Array): (typeof PHOTO_TYPES)[number] | null {
  const at = (i: number, ...sig: number[]) => sig.every((b, j) => bytes[i + j] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

/**
 * SHA-256 of some bytes, lower-case hex: WebCrypto where the page has it (a secure context), the
 * domain's own implementation otherwise.
 */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const subtle = globalThis.crypto?.subtle as SubtleCrypto | undefined;
  if (!subtle) return domainSha256(new Uint8Array(bytes));
  const digest = await subtle.digest('SHA-256', bytes);
  let out = '';
  for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, '0');
  return out;
}

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function makeCanvas(width: number, height: number) {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    return {
      context: canvas.getContext('2d') as Canvas2D | null,
      encode: (quality: number) => canvas.convertToBlob({ type: 'image/jpeg', quality }),
    };
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return {
    context: canvas.getContext('2d') as Canvas2D | null,
    encode: (quality: number) =>
      new Promise<Blob>((resolve, reject) =>
        canvas.toBlob(
          (blob) => (blob ? resolve(blob) : reject(new Error('the photo could not be encoded'))),
          'image/jpeg',
          quality,
        ),
      ),
  };
}

/**
 * Prepare a picked or captured photo for storing. Rejects with PhotoError `not_an_image` (not an
 * image, or one the browser cannot decode) or `photo_too_large` (no encoding fits MAX_PHOTO_BYTES).
 */
export async function preparePhoto(blob: Blob): Promise<PreparedPhoto> {
  // Some pickers give no type for a file they do not know; then decoding decides.
  if (blob.type !== '' && !blob.type.startsWith('image/')) throw new PhotoError('not_an_image');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new PhotoError('not_an_image');
  }
  let encoded: Blob;
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height);
    const { context, encode } = makeCanvas(width, height);
    if (!context) throw new PhotoError('not_an_image');
    // JPEG has no transparency: a PNG's transparent parts become white, not black.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    let quality: number | null = JPEG_QUALITIES[0]!;
    encoded = await encode(quality);
    while ((quality = nextQuality(quality, encoded.size)) !== null) {
      const smaller = await encode(quality);
      if (smaller.size < encoded.size) encoded = smaller;
    }
  } finally {
    bitmap.close();
  }
  if (!isStorable(encoded.size)) throw new PhotoError('photo_too_large');
  const bytes = await encoded.arrayBuffer();
  return { bytes, type: 'image/jpeg', size: bytes.byteLength, sha256: await sha256Hex(bytes) };
}
