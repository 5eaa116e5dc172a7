import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendToLog, EMPTY_HEAD, eventHash } from '../../src/domain/device';
import { canonicalJson, hashValue, pureSha256 } from '../../src/domain/hash';
import { newId } from '../../src/domain/ids';
import {
  nodeSha256,
  serverCanonicalJson,
  serverHashValue,
  wellFormedCanonicalJson,
} from '../../src/server/hash';
import { isWellFormedText } from '../../src/domain/events';

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

  it('writes the canonical JSON of any JSON data as the devices do, byte for byte', () => {
    // Any text (lone surrogates, escapes, astral characters) as keys and values, and numbers of
    // every kind: the server's serialiser gives canonicalJson's text, or throws as it throws.
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(text, tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    const outcome = (f: () => string) => {
      try {
        return { text: f() };
      } catch {
        return { threw: true };
      }
    };
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => serverCanonicalJson(v))).toEqual(outcome(() => canonicalJson(v)));
        // Given only for text that is kept as it is, and then the same text.
        const kept = wellFormedCanonicalJson(v);
        if (kept !== null) {
          expect(isWellFormedText(v)).toBe(true);
          expect(kept).toBe(canonicalJson(v));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves what JSON.parse cannot give to canonicalJson, with its answer', () => {
    const date = new Date('2026-03-02T01:02:03.456Z');
    const cases: unknown[] = [
      { a: 1, b: undefined, c: [undefined, 2] },
      { at: date, n: -0, e: 1e21, f: 1.5e-7 },
      Object.assign(Object.create(null) as object, { z: 1, a: '\u0000' }),
      ['\ud83d\ude22', 'a\\ud800b', '\u2028', '\\', '"'],
      { '\ud800': 1 },
      '\udc00',
      { nested: [{ deep: { values: [1, 'x', null, true] } }] },
    ];
    for (const c of cases) {
      let expected: string | undefined;
      try {
        expected = canonicalJson(c);
      } catch {
        expected = undefined;
      }
      if (expected === undefined) expect(() => serverCanonicalJson(c)).toThrow();
      else expect(serverCanonicalJson(c)).toBe(expected);
    }
    expect(() => serverCanonicalJson({ n: NaN })).toThrow();
    // NUL can be hashed, but not stored: such text is not given as kept.
    expect(wellFormedCanonicalJson({ a: 'x\u0000' })).toBeNull();
    expect(wellFormedCanonicalJson(['\udc00'])).toBeNull();
    expect(wellFormedCanonicalJson({ at: new Date(0) })).toBeNull();
    expect(wellFormedCanonicalJson({ b: '😢', a: ['\u2028'] })).toBe('{"a":["\u2028"],"b":"😢"}');
    expect(serverCanonicalJson({ b: [1, { y: 2, x: 1 }], a: 'é' })).toBe(
      '{"a":"é","b":[1,{"x":1,"y":2}]}',
    );
  });
});
