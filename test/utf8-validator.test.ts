import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Utf8Validator, isValidUtf8 } from '../src/transforms/utf8-validator.js';

const hex = (bytes: ArrayLike<number>): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
const decoder = new TextDecoder('utf-8', { fatal: true });

function textDecoderAccepts(bytes: Uint8Array): boolean {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reference: the well-formed byte sequences of Unicode Table 3-7, applied byte by byte.
 * `bad` is the index of the first byte after which no continuation can make the input
 * valid (-1 if none); `complete` whether a valid input ends on a code point boundary.
 */
const TABLE_3_7: Array<Array<[number, number]>> = [
  [[0x00, 0x7f]],
  [[0xc2, 0xdf], [0x80, 0xbf]],
  [[0xe0, 0xe0], [0xa0, 0xbf], [0x80, 0xbf]],
  [[0xe1, 0xec], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xed, 0xed], [0x80, 0x9f], [0x80, 0xbf]],
  [[0xee, 0xef], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf0, 0xf0], [0x90, 0xbf], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf1, 0xf3], [0x80, 0xbf], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf4, 0xf4], [0x80, 0x8f], [0x80, 0xbf], [0x80, 0xbf]],
];

function referenceVerdict(bytes: Uint8Array): { bad: number; complete: boolean } {
  let i = 0;
  while (i < bytes.length) {
    const row = TABLE_3_7.find(([[lo, hi]]) => bytes[i]! >= lo && bytes[i]! <= hi);
    if (row === undefined) return { bad: i, complete: false };
    for (let j = 1; j < row.length; j++) {
      if (i + j >= bytes.length) return { bad: -1, complete: false };
      const [lo, hi] = row[j]!;
      if (bytes[i + j]! < lo || bytes[i + j]! > hi) return { bad: i + j, complete: false };
    }
    i += row.length;
  }
  return { bad: -1, complete: true };
}

/** Feeds `chunks` to a fresh validator; the index of the first chunk refused, and end(). */
function feed(chunks: Uint8Array[]): { refusedAt: number; ended: boolean } {
  const v = new Utf8Validator();
  for (let c = 0; c < chunks.length; c++) {
    if (!v.write(chunks[c]!)) return { refusedAt: c, ended: false };
  }
  return { refusedAt: -1, ended: v.end() };
}

function accepts(chunks: Uint8Array[]): boolean {
  const { refusedAt, ended } = feed(chunks);
  return refusedAt === -1 && ended;
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const cut of cuts) {
    const end = Math.min(bytes.length, at + cut);
    chunks.push(bytes.subarray(at, end));
    at = end;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

const bytesPerChunk = (bytes: Uint8Array, n: number): Uint8Array[] => split(bytes, Array(Math.ceil(bytes.length / n)).fill(n));

const b = (...values: number[]): Uint8Array => new Uint8Array(values);
const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

// Markus Kuhn's stress test / Autobahn case 6 in miniature.
const VALID: Array<[string, Uint8Array]> = [
  ['empty', b()],
  ['U+0000', b(0x00)],
  ['U+007F', b(0x7f)],
  ['U+0080', b(0xc2, 0x80)],
  ['U+07FF', b(0xdf, 0xbf)],
  ['U+0800', b(0xe0, 0xa0, 0x80)],
  ['U+D7FF (last before surrogates)', b(0xed, 0x9f, 0xbf)],
  ['U+E000 (first after surrogates)', b(0xee, 0x80, 0x80)],
  ['U+FFFD', b(0xef, 0xbf, 0xbd)],
  ['U+FFFE (noncharacter, still valid)', b(0xef, 0xbf, 0xbe)],
  ['U+FFFF', b(0xef, 0xbf, 0xbf)],
  ['U+10000', b(0xf0, 0x90, 0x80, 0x80)],
  ['U+10FFFF', b(0xf4, 0x8f, 0xbf, 0xbf)],
  ['Greek κόσμε', utf8('κόσμε')],
  ['Hello-µ@ßöäüàá-UTF-8!!', utf8('Hello-µ@ßöäüàá-UTF-8!!')],
  ['mixed widths', utf8('a\u00e9\u20ac\u{1f600}z'.repeat(9))],
  ['long ASCII', utf8('x'.repeat(1000))],
];

const INVALID: Array<[string, Uint8Array]> = [
  ['lone continuation 0x80', b(0x80)],
  ['lone continuation 0xBF', b(0xbf)],
  ['continuation after ASCII', b(0x61, 0x80)],
  ['C0 (overlong lead)', b(0xc0)],
  ['C1 (overlong lead)', b(0xc1)],
  ['overlong "/" in 2 bytes', b(0xc0, 0xaf)],
  ['overlong "/" in 3 bytes', b(0xe0, 0x80, 0xaf)],
  ['overlong "/" in 4 bytes', b(0xf0, 0x80, 0x80, 0xaf)],
  ['overlong "/" in 5 bytes', b(0xf8, 0x80, 0x80, 0x80, 0xaf)],
  ['overlong "/" in 6 bytes', b(0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf)],
  ['overlong U+007F', b(0xc1, 0xbf)],
  ['overlong U+07FF', b(0xe0, 0x9f, 0xbf)],
  ['overlong U+FFFF', b(0xf0, 0x8f, 0xbf, 0xbf)],
  ['surrogate U+D800', b(0xed, 0xa0, 0x80)],
  ['surrogate U+DBFF', b(0xed, 0xaf, 0xbf)],
  ['surrogate U+DC00', b(0xed, 0xb0, 0x80)],
  ['surrogate U+DFFF', b(0xed, 0xbf, 0xbf)],
  ['surrogate pair U+D800 U+DC00', b(0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80)],
  ['U+110000', b(0xf4, 0x90, 0x80, 0x80)],
  ['U+13FFFF', b(0xf4, 0xbf, 0xbf, 0xbf)],
  ['F5 lead', b(0xf5, 0x80, 0x80, 0x80)],
  ['F7 lead', b(0xf7, 0xbf, 0xbf, 0xbf)],
  ['FE', b(0xfe)],
  ['FF', b(0xff)],
  ['FE FE FF FF', b(0xfe, 0xfe, 0xff, 0xff)],
  ['truncated 2-byte at end', b(0x61, 0xc2)],
  ['truncated 3-byte at end (1 of 3)', b(0x61, 0xe2)],
  ['truncated 3-byte at end (2 of 3)', b(0x61, 0xe2, 0x82)],
  ['truncated 4-byte at end (3 of 4)', b(0xf0, 0x9f, 0x98)],
  ['truncated sequence then ASCII', b(0xe2, 0x82, 0x61)],
  ['lead then lead', b(0xc2, 0xc2, 0x80)],
  ['κόσμε with a byte removed', utf8('κόσμε').filter((_, i) => i !== 3)],
  ['valid text then 0xFF', new Uint8Array([...utf8('x'.repeat(40)), 0xff])],
  ['truncated 4-byte after 40 bytes', new Uint8Array([...utf8('x'.repeat(40)), 0xf0, 0x9f, 0x98])],
  ['surrogate after 40 bytes', new Uint8Array([...utf8('\u00e9'.repeat(20)), 0xed, 0xa0, 0x80, 0x61])],
];

test('table: valid sequences, whole and in 1-, 2-, 3- and 5-byte pieces', () => {
  for (const [name, bytes] of VALID) {
    assert.ok(textDecoderAccepts(bytes), `reference disagrees: ${name}`);
    assert.ok(isValidUtf8(bytes), `isValidUtf8: ${name}`);
    assert.ok(accepts([bytes]), `whole: ${name}`);
    for (const n of [1, 2, 3, 5]) assert.ok(accepts(bytesPerChunk(bytes, n)), `${n}-byte pieces: ${name}`);
  }
});

test('table: invalid sequences, whole and in 1-, 2-, 3- and 5-byte pieces', () => {
  for (const [name, bytes] of INVALID) {
    assert.not.ok(textDecoderAccepts(bytes), `reference disagrees: ${name}`);
    assert.not.ok(isValidUtf8(bytes), `isValidUtf8: ${name}`);
    assert.not.ok(accepts([bytes]), `whole: ${name}`);
    for (const n of [1, 2, 3, 5]) assert.not.ok(accepts(bytesPerChunk(bytes, n)), `${n}-byte pieces: ${name}`);
  }
});

test('fail fast: write refuses the chunk in which a hopeless prefix appears', () => {
  const hopeless = [
    b(0xf4, 0x90), // above U+10FFFF whatever follows
    b(0xed, 0xa0), // a surrogate whatever follows
    b(0xe0, 0x80), // overlong whatever follows
    b(0xf0, 0x80), // overlong whatever follows
    b(0x80), // lone continuation
    b(0xc0),
    b(0xc1),
    b(0xf5),
    b(0xf8),
    b(0xfe),
    b(0xff),
    b(0xc2, 0x41), // continuation missing
    b(0xe2, 0x82, 0x41),
  ];
  for (const bad of hopeless) {
    for (const padding of [0, 5, 40, 5000]) {
      const chunk = new Uint8Array([...utf8('\u00e9'.repeat(padding >> 1) + 'a'.repeat(padding & 1)), ...bad]);
      assert.is(new Utf8Validator().write(chunk), false, `padding ${padding}: ${hex(bad)}`);
      // The same bytes after a valid first chunk.
      const v = new Utf8Validator();
      assert.ok(v.write(utf8('z'.repeat(padding))));
      assert.is(v.write(chunk), false, `second chunk, padding ${padding}: ${hex(bad)}`);
      assert.is(v.write(utf8('still refused')), false, 'stays refused');
    }
    // Byte by byte: refused exactly at the byte that makes the prefix hopeless.
    const v = new Utf8Validator();
    const { bad: at } = referenceVerdict(bad);
    for (let i = 0; i < bad.length; i++) assert.is(v.write(bad.subarray(i, i + 1)), i < at, `${hex(bad)} byte ${i}`);
  }
  // A code point cut by the chunk edge is not refused early...
  for (const open of [b(0xf4, 0x8f), b(0xed, 0x9f), b(0xe0, 0xa0), b(0xf0, 0x90, 0x80), b(0xc2)]) {
    for (const padding of [0, 40]) {
      const v = new Utf8Validator();
      assert.ok(v.write(new Uint8Array([...utf8('a'.repeat(padding)), ...open])), `open ${hex(open)}`);
      assert.not.ok(v.end(), `open ${hex(open)} at end()`);
    }
  }
  // ...but is refused on the next chunk if it does not continue properly.
  const v = new Utf8Validator();
  assert.ok(v.write(new Uint8Array([...utf8('a'.repeat(40)), 0xf4])));
  assert.is(v.write(new Uint8Array([0x90, ...utf8('a'.repeat(40))])), false);
});

test('every split point of multi-byte strings, into two and three chunks', () => {
  const texts = [
    '\u00e9',
    '\u20ac',
    '\u{1f600}',
    '\u{10ffff}',
    'κόσμε',
    'a\u00e9\u20ac\u{1f600}',
    'x'.repeat(30) + '\u{1f600}\u20ac' + 'y'.repeat(30) + '\u00e9',
    '\u{1f600}'.repeat(12),
  ];
  for (const text of texts) {
    const bytes = utf8(text);
    for (let i = 0; i <= bytes.length; i++) {
      assert.ok(accepts(split(bytes, [i])), `${JSON.stringify(text)} at ${i}`);
      for (let j = i; j <= bytes.length; j++) {
        assert.ok(accepts(split(bytes, [i, j - i])), `${JSON.stringify(text)} at ${i}, ${j}`);
      }
    }
    // Cut short anywhere inside the last code point: valid prefix, incomplete at end().
    const last = Buffer.byteLength([...text].at(-1)!);
    for (let drop = 1; drop < last; drop++) {
      const cut = bytes.subarray(0, bytes.length - drop);
      const { refusedAt, ended } = feed(split(cut, [cut.length >> 1]));
      assert.is(refusedAt, -1, `${JSON.stringify(text)} minus ${drop}`);
      assert.not.ok(ended, `${JSON.stringify(text)} minus ${drop} at end()`);
    }
  }
});

test('reset() and end() make the validator reusable', () => {
  const v = new Utf8Validator();
  assert.not.ok(v.write(b(0xff)));
  v.reset();
  assert.ok(v.write(utf8('ok')));
  assert.ok(v.end());
  assert.ok(v.write(b(0xe2, 0x82)));
  assert.not.ok(v.end(), 'incomplete');
  assert.ok(v.write(utf8('fresh after end()')));
  assert.ok(v.end());
});

const INTERESTING = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff];

/** Valid UTF-8 with a few random mutations, or raw random bytes. */
const nearValid = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.array(
      fc.record({
        kind: fc.constantFrom('set', 'insert', 'delete', 'truncate'),
        at: fc.nat(),
        byte: fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 })),
      }),
      { maxLength: 3 },
    ),
  ).map(([text, edits]) => {
    const bytes = Array.from(utf8(text));
    for (const { kind, at, byte } of edits) {
      const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
      if (kind === 'set' && i < bytes.length) bytes[i] = byte;
      else if (kind === 'insert') bytes.splice(i, 0, byte);
      else if (kind === 'delete') bytes.splice(i, 1);
      else if (kind === 'truncate') bytes.length = i;
    }
    return new Uint8Array(bytes);
  }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...INTERESTING), { maxLength: 24 }).map((a) => new Uint8Array(a)) },
);

const cutsArb = fc.array(fc.oneof(fc.nat({ max: 4 }), fc.nat({ max: 80 })), { maxLength: 12 });

test('property: the verdict equals TextDecoder (fatal) for any split', () => {
  fc.assert(
    fc.property(nearValid, cutsArb, (bytes, cuts) => {
      const expected = textDecoderAccepts(bytes);
      return accepts(split(bytes, cuts)) === expected && isValidUtf8(bytes) === expected;
    }),
    { numRuns: 3000 },
  );
});

test('property: refused exactly on the chunk holding the first hopeless byte', () => {
  fc.assert(
    fc.property(nearValid, cutsArb, (bytes, cuts) => {
      const ref = referenceVerdict(bytes);
      // The table-driven reference agrees with TextDecoder on complete inputs.
      if ((ref.bad === -1 && ref.complete) !== textDecoderAccepts(bytes)) return false;
      const chunks = split(bytes, cuts);
      const { refusedAt, ended } = feed(chunks);
      if (ref.bad === -1) return refusedAt === -1 && ended === ref.complete;
      // Index of the chunk containing byte ref.bad (skipping empty chunks before it).
      let chunk = 0;
      for (let seen = 0; ; chunk++) {
        seen += chunks[chunk]!.length;
        if (seen > ref.bad) break;
      }
      return refusedAt === chunk;
    }),
    { numRuns: 3000 },
  );
});

test.run();
