import { uuidv7 } from 'uuidv7';

/** A UUIDv7: time-ordered, made on the device that creates the record. */
export type Id = string;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newId(): Id {
  return uuidv7();
}

export function isUuidV7(value: unknown): value is Id {
  return typeof value === 'string' && UUID_V7.test(value);
}

/** The creation time (ms since epoch) encoded in a UUIDv7's first 48 bits. */
export function uuidV7Time(id: Id): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
