/**
 * Photos picked for a finding or a step, before they are saved: the blobs as taken, with a
 * preview URL each. The device downscales and stores them on save; until then they live here, so
 * a failed save loses nothing.
 */
import { MAX_PHOTOS } from '../../domain/events';
import type { PhotoErrorCode } from '../../app/device-api';
import { checkPicked } from './inspect-words';

/** Object URLs as a dependency, so tests run without a browser. */
export interface PreviewUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

export const browserUrls: PreviewUrls = {
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

export interface PickedPhoto {
  key: number;
  blob: Blob;
  url: string;
}

export class PhotoPicks {
  #urls: PreviewUrls;
  #next = 1;
  #items = $state.raw<PickedPhoto[]>([]);
  #problem = $state<PhotoErrorCode | null>(null);

  constructor(urls: PreviewUrls = browserUrls) {
    this.#urls = urls;
  }

  get items(): PickedPhoto[] {
    return this.#items;
  }
  get blobs(): Blob[] {
    return this.#items.map((p) => p.blob);
  }
  /** Why the last pick was refused, if it was. */
  get problem(): PhotoErrorCode | null {
    return this.#problem;
  }

  /** Add what the file input gave; refuses the whole pick if it is not all images or too many. */
  add(files: readonly File[] | readonly Blob[]): void {
    const problem = checkPicked(files, this.#items.length, MAX_PHOTOS);
    this.#problem = problem;
    if (problem) return;
    this.#items = [
      ...this.#items,
      ...files.map((blob) => ({ key: this.#next++, blob, url: this.#urls.create(blob) })),
    ];
  }

  remove(key: number): void {
    const gone = this.#items.find((p) => p.key === key);
    if (gone) this.#urls.revoke(gone.url);
    this.#items = this.#items.filter((p) => p.key !== key);
    this.#problem = null;
  }

  clear(): void {
    for (const p of this.#items) this.#urls.revoke(p.url);
    this.#items = [];
    this.#problem = null;
  }
}
