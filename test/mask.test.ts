import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mask, maskPortable, simdMaskAvailable, unmask, unmaskPortable } from '../src/transforms/mask.js';

type Unmask = (data: Uint8Array, maskKey: number, offset: number) => void;
type Mask = (source: Uint8Array, maskKey: number, target: Uint8Array, targetOffset: number) => void;

const KERNELS: Array<{ name: string; unmask: Unmask; mask: Mask }> = [
  { name: 'default', unmask, mask },
  { name: 'portable', unmask: unmaskPortable, mask: maskPortable },
];

// Every length with a random key; a stride of lengths with the others.
const KEYS = [0, 0xffffffff, (Math.random() * 2 ** 32) >>> 0, 0x12345678, 0x80000001];

/** The definition, byte by byte. */
function reference(data: Uint8Array, maskKey: number, offset: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ ((maskKey >>> (24 - 8 * ((offset + i) % 4))) & 0xff);
  return out;
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/**
 * Runs `unmask` on a slice at `byteOffset` of a larger ArrayBuffer and checks it against
 * the reference, and that the guard bytes around the slice are untouched.
 */
function checkUnmask(fn: Unmask, length: number, byteOffset: number, key: number, offset: number): void {
  const guard = 16;
  const whole = pattern(byteOffset + length + guard, length * 31 + byteOffset + 7);
  const before = whole.slice();
  const data = Buffer.from(whole.buffer, byteOffset, length);
  const expected = reference(data, key, offset);
  fn(data, key, offset);
  const where = `len=${length} byteOffset=${byteOffset} key=${key.toString(16)} offset=${offset}`;
  if (!Buffer.from(expected).equals(data)) assert.unreachable(`wrong bytes: ${where}`);
  for (let i = 0; i < byteOffset; i++) if (whole[i] !== before[i]) assert.unreachable(`byte before slice changed: ${where}`);
  for (let i = byteOffset + length; i < whole.length; i++) {
    if (whole[i] !== before[i]) assert.unreachable(`byte after slice changed: ${where}`);
  }
}

test('the WebAssembly SIMD kernel is in use on this runtime', () => {
  assert.ok(simdMaskAvailable);
});

for (const k of KERNELS) {
  test(`${k.name} unmask: lengths 0..300, phases 0..7, byteOffsets 0..7, several keys`, () => {
    for (const key of KEYS) {
      for (let length = 0; length <= 300; length += key === KEYS[2] ? 1 : 7) {
        for (let byteOffset = 0; byteOffset < 8; byteOffset++) {
          for (let offset = 0; offset < 8; offset++) checkUnmask(k.unmask, length, byteOffset, key, offset);
        }
      }
    }
  });

  test(`${k.name} unmask: large and window-edge sizes`, () => {
    const sizes = [1023, 1024, 16383, 16384, 16385, 16384 * 2 + 63, 65536, 65536 + 5, 1024 * 1024 + 3];
    for (const length of sizes) {
      const big = length > 100_000;
      for (const byteOffset of big ? [0, 5] : [0, 1, 2, 3, 5, 7]) {
        for (const offset of big ? [0, 3] : [0, 1, 2, 3, 6, 2 ** 32 + 1]) checkUnmask(k.unmask, length, byteOffset, 0x9abcdef0, offset);
      }
    }
    checkUnmask(k.unmask, 65536, 3, 0, 1);
    checkUnmask(k.unmask, 65536, 5, 0xffffffff, 2);
  });

  test(`${k.name} unmask twice restores the data`, () => {
    for (const length of [0, 1, 7, 64, 127, 128, 129, 1000, 70000]) {
      for (const offset of [0, 1, 2, 3]) {
        const original = pattern(length + 3, length);
        const data = Buffer.from(original).subarray(3);
        k.unmask(data, 0xdeadbeef, offset);
        k.unmask(data, 0xdeadbeef, offset);
        assert.ok(data.equals(original.subarray(3)), `len=${length} offset=${offset}`);
      }
    }
  });

  test(`${k.name} mask: matches the reference, never mutates source, stays inside its target range`, () => {
    for (const length of [0, 1, 3, 4, 5, 63, 127, 128, 129, 300, 4097, 16384, 16385, 65536 + 7]) {
      for (const sourceOffset of [0, 1, 3]) {
        for (const targetOffset of [0, 1, 2, 5, 14]) {
          for (const key of [0, 0xffffffff, 0x01020304]) {
            const backing = pattern(length + sourceOffset + 4, length + 1);
            const source = backing.subarray(sourceOffset, sourceOffset + length);
            const sourceCopy = source.slice();
            const backingCopy = backing.slice();
            const target = new Uint8Array(targetOffset + length + 9).fill(0xaa);
            k.mask(source, key, target, targetOffset);
            const where = `len=${length} so=${sourceOffset} to=${targetOffset} key=${key}`;
            assert.ok(Buffer.from(source).equals(sourceCopy), `source mutated: ${where}`);
            assert.ok(Buffer.from(backing).equals(backingCopy), `source buffer mutated: ${where}`);
            assert.ok(
              Buffer.from(target.subarray(targetOffset, targetOffset + length)).equals(reference(sourceCopy, key, 0)),
              `wrong bytes: ${where}`,
            );
            for (let i = 0; i < targetOffset; i++) assert.is(target[i], 0xaa, `before target range: ${where}`);
            for (let i = targetOffset + length; i < target.length; i++) assert.is(target[i], 0xaa, `after target range: ${where}`);
          }
        }
      }
    }
  });

  test(`${k.name} mask: in place and overlapping ranges of one buffer`, () => {
    for (const length of [10, 200, 40000]) {
      for (const shift of [-5, 0, 3, 64]) {
        const backing = pattern(length + 200, length);
        const original = backing.slice();
        const source = backing.subarray(100, 100 + length);
        k.mask(source, 0x11223344, backing, 100 + shift);
        const expected = original.slice();
        expected.set(reference(original.subarray(100, 100 + length), 0x11223344, 0), 100 + shift);
        assert.ok(Buffer.from(backing).equals(expected), `len=${length} shift=${shift}`);
      }
    }
  });

  test(`${k.name} mask: a target that is too small is a RangeError`, () => {
    assert.throws(() => k.mask(new Uint8Array(10), 1, new Uint8Array(12), 3), RangeError);
    assert.throws(() => k.mask(new Uint8Array(200), 1, new Uint8Array(200), 1), RangeError);
    assert.throws(() => k.mask(new Uint8Array(1), 1, new Uint8Array(4), -1), RangeError);
  });

  test(`${k.name} unmask: RFC 6455 §5.7 masked "Hello"`, () => {
    const wire = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    const key = wire.readUInt32BE(2);
    assert.is(key, 0x37fa213d);
    const payload = Buffer.from(wire).subarray(6);
    k.unmask(payload, key, 0);
    assert.is(payload.toString('latin1'), 'Hello');
    // And in two slices: "Hel" then "lo" at offset 3.
    const again = Buffer.from(wire);
    k.unmask(again.subarray(6, 9), key, 0);
    k.unmask(again.subarray(9), key, 3);
    assert.is(again.subarray(6).toString('latin1'), 'Hello');
    // mask is the inverse.
    const masked = Buffer.alloc(5);
    k.mask(Buffer.from('Hello'), key, masked, 0);
    assert.ok(masked.equals(wire.subarray(6)));
  });

  test(`${k.name} property: unmasking slices with running offsets equals unmasking the whole`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.array(fc.nat({ max: 600 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.nat({ max: 7 }),
        fc.nat({ max: 10 }),
        (bytes, cuts, key, lead, frameOffset) => {
          const whole = Buffer.from(bytes);
          k.unmask(whole, key, frameOffset);
          const backing = new Uint8Array(lead + bytes.length);
          backing.set(bytes, lead);
          const sliced = Buffer.from(backing.buffer, lead, bytes.length);
          let at = 0;
          for (const cut of [...cuts, bytes.length]) {
            const end = Math.min(bytes.length, at + cut);
            k.unmask(sliced.subarray(at, end), key, frameOffset + at);
            at = end;
          }
          return sliced.equals(whole) && whole.equals(reference(bytes, key, frameOffset));
        },
      ),
      { numRuns: 300 },
    );
  });
}

test.run();
