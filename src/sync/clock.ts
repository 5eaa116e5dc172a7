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
