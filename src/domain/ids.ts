/** A UUIDv7: time-ordered, made on the device that creates the record. */
export type Id = string;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new UUIDv7 made now. */
export function newId(): Id {
  return uuidV7At(Date.now());
}

let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562) for the clock reading `now`: 48 bits of Unix time in ms, then a 12-bit counter that keeps ids made
 * within one millisecond in order (method 1 of the RFC; on overflow the time moves on by 1 ms),
 * then 62 random bits.
 */
export function uuidV7At(now: number): Id {
  if (now > lastMs) {
    lastMs = now;
    // Start low and at random, so the counter has room and ids are not guessable.
    counter = crypto.getRandomValues(new Uint16Array(1))[0]! & 0x3ff;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const random = crypto.getRandomValues(new Uint8Array(8));
  random[0] = (random[0]! & 0x3f) | 0x80; // variant 10
  const time = lastMs.toString(16).padStart(12, '0');
  const rest = Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${rest.slice(0, 4)}-${rest.slice(4)}`;
}

export function isUuidV7(value: unknown): value is Id {
  return typeof value === 'string' && UUID_V7.test(value);
}

/** The creation time (ms since epoch) encoded in a UUIDv7's first 48 bits. */
export function uuidV7Time(id: Id): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
