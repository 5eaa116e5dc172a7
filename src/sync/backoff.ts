/** First retry waits up to this long; each failure doubles it, up to the cap. */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 5 * 60 * 1000;
/** A server asking us to wait longer than this is not taken at its word. */
export const RETRY_AFTER_MAX_MS = 60 * 60 * 1000;

/**
 * Exponential backoff with FULL jitter: a uniformly random wait between 0 and
 * min(cap, base · 2^attempt), so that many devices coming back at once spread out.
 * `attempt` counts failures before this one (0 for the first).
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  base = BACKOFF_BASE_MS,
  cap = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 52)));
  return Math.floor(random() * ceiling);
}

/** The wait before the next retry: the jittered backoff, but never sooner than Retry-After. */
export function retryDelay(
  attempt: number,
  random: () => number,
  retryAfterMs: number | null = null,
): number {
  const jittered = backoffDelay(attempt, random);
  if (retryAfterMs === null || !(retryAfterMs > 0)) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, RETRY_AFTER_MAX_MS));
}

/** Parse a Retry-After header (delay in seconds, or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
