import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendToLog, EMPTY_HEAD, eventHash } from '../../src/domain/device';
import { hashValue, pureSha256 } from '../../src/domain/hash';
import { newId } from '../../src/domain/ids';
import { nodeSha256, serverHashValue } from '../../src/server/hash';

describe('the server hashes with node:crypto what devices hash in pure JavaScript', () => {
  it('digests any text, lone surrogates included, to the same hex', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(nodeSha256(text)).toBe(pureSha256(text));
      }),
      { numRuns: 500 },
    );
    expect(nodeSha256('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes any JSON value as the device does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(serverHashValue(value)).toBe(hashValue(value));
      }),
      { numRuns: 300 },
    );
  });

  it('gives a logged event the hash its device chained to it', () => {
    const { event, head } = appendToLog(EMPTY_HEAD, {
      type: 'rating.submitted',
      hallId: newId(),
      deviceId: newId(),
      at: '2026-03-02T01:02:03.456Z',
      hlc: '2026-03-02T01:02:03.456Z-0000-0123456789abcdef',
      payload: {
        windowId: newId(),
        departmentId: newId(),
        level: 'dissatisfied',
        reasons: ['attitude'],
        comment: '等了很久 \u{1F622}',
        ticket: 'A017',
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: null,
      },
    });
    expect(serverHashValue(event)).toBe(head.hash);
    expect(serverHashValue(event)).toBe(eventHash(event));
  });
});
