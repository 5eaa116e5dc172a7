/**
 * Server time minus device time, from one request: the server's clock is taken to have been read
 * halfway between sending and receiving. Null when the server's time cannot be read.
 */
export function clockOffsetMs(
  serverTime: string,
  sentAt: number,
  receivedAt: number,
): number | null {
  const server = Date.parse(serverTime);
  if (Number.isNaN(server)) return null;
  return Math.round(server - (sentAt + receivedAt) / 2);
}

/** An offset is worth storing again only when it moved noticeably (avoids a write per batch). */
export const OFFSET_TOLERANCE_MS = 250;

/** The clock a device signs its requests with: the server's time as it knows it, correctable. */
export interface SigningClock {
  serverNow(): number;
  /** Take the server's time as said in a refusal; true when the device's offset moved. */
  correct(serverTime: string): Promise<boolean>;
}

/** A device store's clock (src/storage/store.ts) as a {@link SigningClock}. */
export function signingClock(store: {
  clock: { now(): number; serverNow(): number; offsetMs: number };
  setClockOffset(offsetMs: number): Promise<void>;
}): SigningClock {
  return {
    serverNow: () => store.clock.serverNow(),
    async correct(serverTime) {
      const now = store.clock.now();
      const offset = clockOffsetMs(serverTime, now, now);
      if (offset === null || Math.abs(offset - store.clock.offsetMs) <= OFFSET_TOLERANCE_MS)
        return false;
      await store.setClockOffset(offset);
      return true;
    },
  };
}
