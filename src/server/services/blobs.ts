/** Photos and other binary attachments, addressed by their SHA-256 (design §4). */
import { createHash } from 'node:crypto';
import type { Db } from '../db/db';
import { badRequest } from '../errors';
import { isoAt } from '../repos/util';

export const MAX_BLOB_BYTES = 2 * 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;

export function checkBlobName(sha256: string): string {
  const name = sha256.toLowerCase();
  if (!SHA256.test(name))
    throw badRequest('invalid_hash', 'The blob name must be a SHA-256 in hex.');
  return name;
}

/** The image type of some bytes by their signature (JPEG, PNG, WebP), or null. */
export function imageTypeOf(bytes: Buffer): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Store a blob if it is not there yet; refuses bytes whose hash is not the name. Raw bytes that
 * are an image are stored with the image's type, so a browser shows them as a picture.
 */
export async function putBlob(
  db: Db,
  sha256: string,
  bytes: Buffer,
  contentType: string,
  now: number,
): Promise<{ created: boolean }> {
  const name = checkBlobName(sha256);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== name)
    throw badRequest('hash_mismatch', 'The bytes do not have the SHA-256 named in the URL.');
  const rows = await db.query(
    `INSERT INTO blobs (sha256, bytes, size, content_type, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
    [name, bytes, bytes.length, storedType(bytes, contentType).slice(0, 100), isoAt(now)],
  );
  return { created: rows.length > 0 };
}

export async function getBlob(
  db: Db,
  sha256: string,
  withBytes: boolean,
  /** Only a photo an event of this hall names: a hash alone opens nothing of another hall. */
  hallId: string,
): Promise<{ bytes: Buffer | null; size: number; contentType: string } | null> {
  const name = checkBlobName(sha256);
  const rows = await db.query<{ bytes: Uint8Array | null; size: number; contentType: string }>(
    `SELECT ${withBytes ? 'bytes' : 'NULL::bytea AS bytes'}, size, content_type AS "contentType"
     FROM blobs b
     WHERE sha256 = $1
       AND EXISTS (SELECT 1 FROM photo_refs r WHERE r.sha256 = b.sha256 AND r.hall_id = $2)`,
    [name, hallId],
  );
  const row = rows[0];
  if (!row) return null;
  return { ...row, bytes: row.bytes ? Buffer.from(row.bytes) : null };
}

function storedType(bytes: Buffer, declared: string): string {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  return type === 'application/octet-stream' || type === '' ? (imageTypeOf(bytes) ?? type) : type;
}
