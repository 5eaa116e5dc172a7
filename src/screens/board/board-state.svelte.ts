/**
 * The hall board's state (大厅公示屏): the server's board as a live answer (kept between visits,
 * refreshed every minute and whenever the screen becomes visible again) and its hall-local time.
 */
import { hallMinutes } from '../../domain/schedule';
import type { BoardResponse } from '../../sync/report-protocol';
import { LiveAnswer } from '../live-answer.svelte';

export { REFRESH_MS } from '../live-answer.svelte';

/** HH:MM, hall-local, of an instant. */
export function hallClock(ms: number): string {
  const m = hallMinutes(ms);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** A share 0–1 as a percentage with one decimal ("96.5"), or null. */
export function percentText(rate: number | null): string | null {
  return rate === null ? null : (Math.round(rate * 1000) / 10).toFixed(1);
}

/** The board as a live answer, with the hall-local time it is from. */
export class BoardState extends LiveAnswer<BoardResponse> {
  get board(): BoardResponse | null {
    return this.answer;
  }
  /** "HH:MM" (hall-local) of the shown answer, for "更新于 HH:MM". */
  get updatedAt(): string | null {
    return this.savedAt === null ? null : hallClock(this.savedAt);
  }
}
