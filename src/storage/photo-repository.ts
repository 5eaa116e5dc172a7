/**
 * Photos kept on the device (evidence of findings and steps), addressed by SHA-256. They stay
 * after their upload, so the tablet shows them without the network; `uploaded` says whether the
 * server has them.
 */
import type { HallKioskDb, PhotoRow } from './db';

/** A photo the sync engine still has to upload. */
export interface PhotoUpload {
  sha256: string;
  bytes: ArrayBuffer;
  type: string;
}

export class PhotoRepository {
  constructor(private readonly db: HallKioskDb) {}

  get(sha256: string): Promise<PhotoRow | undefined> {
    return this.db.photos.get(sha256);
  }

  /** Photos not uploaded yet and not refused for good, oldest first. */
  async pending(limit: number): Promise<PhotoUpload[]> {
    const rows = await this.db.photos
      .where('uploaded')
      .equals(0)
      .filter((p) => p.refused === undefined)
      .toArray();
    return rows
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit)
      .map(({ sha256, bytes, type }) => ({ sha256, bytes, type }));
  }

  /** How many photos wait for their upload, and how many the server refused for good. */
  async counts(): Promise<{ pendingPhotos: number; refusedPhotos: number }> {
    const waiting = await this.db.photos.where('uploaded').equals(0).toArray();
    const refusedPhotos = waiting.filter((p) => p.refused !== undefined).length;
    return { pendingPhotos: waiting.length - refusedPhotos, refusedPhotos };
  }

  /** The server answered 200/201 for it. */
  async uploaded(sha256: string): Promise<void> {
    await this.db.photos.update(sha256, { uploaded: 1 });
  }

  /**
   * The server refused the bytes for good (`hash_mismatch`: this copy is corrupt). It is kept,
   * with the reason, and not sent again.
   */
  async refused(sha256: string, reason: string): Promise<void> {
    await this.db.photos.update(sha256, { refused: reason });
  }
}
