/**
 * The masking XOR of RFC 6455 §5.3, the hot loop of both directions.
 *
 * Mask keys are 32-bit unsigned integers, first wire byte most significant: payload byte
 * i is XORed with `(maskKey >>> (24 - 8 * (i % 4))) & 0xff`.
 *
 * Three kernels, chosen by size (crossovers measured with bench/unmask.ts):
 * - below SMALL bytes, a byte loop: any wider kernel first has to allocate a view;
 * - otherwise a WebAssembly SIMD kernel, staged through a small window of wasm memory
 *   (copy in, XOR, copy out): even with both copies it beats plain JS from there up;
 * - where WebAssembly is unavailable, a portable kernel that XORs 64-bit words through a
 *   BigUint64Array view (TurboFan lowers it to plain 64-bit loads/xors/stores).
 */
import { createSimdXor } from './mask.wasm.js';

/** Below this length the byte loop wins over both wide kernels. */
const SMALL = 128;
/**
 * Staging window of the SIMD kernel. 16 KiB in + out stays in L1; measured best of
 * 8–64 KiB for 64 KiB–1 MiB payloads. Must be a multiple of 64 (the kernel's stride) and
 * leave 64 bytes of headroom in the 64 KiB wasm memory.
 */
const WINDOW = 16 * 1024;

const simd = createSimdXor();
const simdMemory = simd === null ? null : simd.memory;
// Views to copy out of: one window, and the last shorter length used.
const simdWindow = simdMemory === null ? null : simdMemory.subarray(0, WINDOW);
let lastOut: Uint8Array = new Uint8Array(0);

// Scratch for building the 64-bit key in memory order, whatever the host's endianness.
const keyBytes = new Uint8Array(8);
const keyWord = new BigUint64Array(keyBytes.buffer);

/** The key rotated so that its most significant byte applies at payload position `offset`. */
export function keyAt(maskKey: number, offset: number): number {
  // `& 3` is exact for any non-negative offset below 2^53: 2^32 is a multiple of 4.
  const s = (offset & 3) << 3;
  return s === 0 ? maskKey | 0 : (maskKey << s) | (maskKey >>> (32 - s));
}

/** `dst[dstStart + i] = src[srcStart + i] ^ key byte (i % 4)` for i < len; may be in place. */
function xorBytes(src: Uint8Array, srcStart: number, dst: Uint8Array, dstStart: number, len: number, key: number): void {
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  const delta = dstStart - srcStart;
  const end = srcStart + len;
  let i = srcStart;
  for (const end4 = end - 3; i < end4; i += 4) {
    dst[i + delta] = src[i]! ^ k0;
    dst[i + delta + 1] = src[i + 1]! ^ k1;
    dst[i + delta + 2] = src[i + 2]! ^ k2;
    dst[i + delta + 3] = src[i + 3]! ^ k3;
  }
  if (i < end) {
    dst[i + delta] = src[i]! ^ k0;
    if (++i < end) {
      dst[i + delta] = src[i]! ^ k1;
      if (++i < end) dst[i + delta] = src[i]! ^ k2;
    }
  }
}

/** SIMD path: `dst[dstStart...] = src ^ key`, in windows; `src` may be `dst` itself. */
function xorSimd(src: Uint8Array, dst: Uint8Array, dstStart: number, key: number): void {
  const memory = simdMemory!;
  const xor = simd!.xor;
  // Wasm memory is little-endian: the key's first byte must be the word's low byte.
  const keyLE = (key >>> 24) | ((key >>> 8) & 0xff00) | ((key << 8) & 0xff0000) | (key << 24);
  const len = src.length;
  // Windows start at multiples of WINDOW (a multiple of 4), so the key phase holds.
  for (let p = 0; p < len; p += WINDOW) {
    const n = len - p < WINDOW ? len - p : WINDOW;
    memory.set(n === len ? src : new Uint8Array(src.buffer, src.byteOffset + p, n));
    xor(0, n, keyLE);
    let out = simdWindow!;
    if (n !== WINDOW) {
      // Frames often repeat a size: reusing the last view saves ~40% below 1 KiB.
      out = lastOut;
      if (out.length !== n) lastOut = out = memory.subarray(0, n);
    }
    dst.set(out, dstStart + p);
  }
}

/** Portable path: XOR `buf[start, end)` in place with 64-bit words on the aligned middle. */
function xorWide(buf: Uint8Array, start: number, end: number, key: number): void {
  // Byte steps up to an 8-byte boundary of the underlying ArrayBuffer, rotating the key.
  let i = start;
  for (let lead = (8 - ((buf.byteOffset + start) & 7)) & 7; lead > 0; lead--, i++) {
    buf[i] = buf[i]! ^ (key >>> 24);
    key = (key << 8) | (key >>> 24);
  }
  const words = (end - i) >>> 3;
  const w = new BigUint64Array(buf.buffer, buf.byteOffset + i, words);
  keyBytes[0] = keyBytes[4] = key >>> 24;
  keyBytes[1] = keyBytes[5] = key >>> 16;
  keyBytes[2] = keyBytes[6] = key >>> 8;
  keyBytes[3] = keyBytes[7] = key;
  const k = keyWord[0]!;
  let j = 0;
  // Unrolled: the per-element bounds checks stay, but the loop overhead is amortised.
  for (const end8 = words & ~7; j < end8; j += 8) {
    w[j] = w[j]! ^ k;
    w[j + 1] = w[j + 1]! ^ k;
    w[j + 2] = w[j + 2]! ^ k;
    w[j + 3] = w[j + 3]! ^ k;
    w[j + 4] = w[j + 4]! ^ k;
    w[j + 5] = w[j + 5]! ^ k;
    w[j + 6] = w[j + 6]! ^ k;
    w[j + 7] = w[j + 7]! ^ k;
  }
  for (; j < words; j++) w[j] = w[j]! ^ k;
  i += words << 3;
  xorBytes(buf, i, buf, i, end - i, key);
}

/**
 * Unmasks `data` in place. `offset` is where `data[0]` sits inside the frame's payload
 * (a frame may arrive in many slices), so the key phase is `offset % 4`.
 */
export function unmask(data: Uint8Array, maskKey: number, offset: number): void {
  unmaskWith(data, maskKey, offset, simd !== null);
}

/**
 * Writes `source` masked with `maskKey` (phase 0) into `target` at `targetOffset`, leaving
 * `source` untouched. Throws a RangeError if it does not fit.
 */
export function mask(source: Uint8Array, maskKey: number, target: Uint8Array, targetOffset: number): void {
  maskWith(source, maskKey, target, targetOffset, simd !== null);
}

/**
 * The plain-JS kernels, as used where WebAssembly is unavailable; exported so that tests
 * and the benchmark can exercise them on runtimes that do have it.
 */
export function unmaskPortable(data: Uint8Array, maskKey: number, offset: number): void {
  unmaskWith(data, maskKey, offset, false);
}

/** See {@link unmaskPortable}; same contract as {@link mask}. */
export function maskPortable(source: Uint8Array, maskKey: number, target: Uint8Array, targetOffset: number): void {
  maskWith(source, maskKey, target, targetOffset, false);
}

/** Whether the WebAssembly SIMD kernel is in use on this runtime. */
export const simdMaskAvailable: boolean = simd !== null;

function unmaskWith(data: Uint8Array, maskKey: number, offset: number, useSimd: boolean): void {
  const len = data.length;
  const key = keyAt(maskKey, offset);
  if (len < SMALL) xorBytes(data, 0, data, 0, len, key);
  else if (useSimd) xorSimd(data, data, 0, key);
  else xorWide(data, 0, len, key);
}

function maskWith(source: Uint8Array, maskKey: number, target: Uint8Array, targetOffset: number, useSimd: boolean): void {
  const len = source.length;
  if (!(targetOffset >= 0 && targetOffset + len <= target.length)) {
    throw new RangeError(`mask: ${len} bytes do not fit in a target of length ${target.length} at offset ${targetOffset}`);
  }
  // Windowed and forward copies would read bytes they already overwrote.
  if (source.buffer === target.buffer && overlapsShifted(source, target, targetOffset)) source = source.slice();
  const key = maskKey | 0;
  if (len < SMALL) xorBytes(source, 0, target, targetOffset, len, key);
  else if (useSimd) xorSimd(source, target, targetOffset, key);
  else {
    target.set(source, targetOffset);
    xorWide(target, targetOffset, targetOffset + len, key);
  }
}

function overlapsShifted(source: Uint8Array, target: Uint8Array, targetOffset: number): boolean {
  const s = source.byteOffset;
  const t = target.byteOffset + targetOffset;
  return s !== t && s < t + source.length && t < s + source.length;
}
