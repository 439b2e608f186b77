import { types } from 'node:util';

/**
 * The few WebIDL conversions (https://webidl.spec.whatwg.org/#js-type-mapping) that the
 * WebSocket API's arguments and event dictionaries go through, so that odd arguments
 * behave as in browsers: a missing required argument or a Symbol is a TypeError, other
 * values become strings or numbers the way WebIDL says.
 */

/** WebIDL: too few arguments for an operation or constructor is a TypeError. */
export function requireArguments(given: number, required: number, what: string): void {
  if (given < required) {
    throw new TypeError(`${what}: ${required} argument${required === 1 ? '' : 's'} required, but only ${given} present.`);
  }
}

/** DOMString: ECMAScript ToString, which refuses Symbols (String() would not). */
export function toDOMString(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
  return String(value);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** USVString: a DOMString with every lone surrogate replaced by U+FFFD. */
export function toUSVString(value: unknown): string {
  return toDOMString(value).replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * `(BufferSource or USVString)`, as the web's send steps take it (WebSocket send(),
 * WebSocketStream writes): an ArrayBuffer or a view on one is binary, and its bytes are
 * copied, so that what is sent is the data at the time of the call even if the caller
 * reuses the buffer. A SharedArrayBuffer is not a BufferSource, so it is a USVString like
 * any other object ("[object SharedArrayBuffer]"); a view on one, or a resizable buffer,
 * cannot be converted at all (no [AllowShared] or [AllowResizable]): a TypeError.
 */
export function toBytesOrString(value: unknown): Buffer | string {
  if (typeof value === 'string') return value;
  if (types.isArrayBuffer(value)) {
    if (isResizable(value)) throw new TypeError('A resizable ArrayBuffer cannot be sent (it is not a BufferSource without [AllowResizable])');
    return Buffer.from(new Uint8Array(value));
  }
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (types.isSharedArrayBuffer(buffer)) throw new TypeError('A view on a SharedArrayBuffer cannot be sent (it is not a BufferSource without [AllowShared])');
    if (isResizable(buffer)) throw new TypeError('A view on a resizable ArrayBuffer cannot be sent (it is not a BufferSource without [AllowResizable])');
    return Buffer.from(new Uint8Array(buffer, value.byteOffset, value.byteLength));
  }
  return toUSVString(value);
}

/** ES2024 `ArrayBuffer.prototype.resizable` (Node 20 has it; the ES2023 typings do not). */
function isResizable(buffer: ArrayBufferLike): boolean {
  return (buffer as { resizable?: boolean }).resizable === true;
}

/** ECMAScript ToNumber, which refuses Symbols and BigInts (Number() would take a BigInt). */
function toNumber(value: unknown): number {
  if (typeof value === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number');
  return Number(value);
}

/** An integer type without [Clamp] or [EnforceRange]: truncate, then wrap modulo 2^bits. */
export function toUnsigned(value: unknown, bits: 16 | 32): number {
  const number = toNumber(value);
  if (!Number.isFinite(number)) return 0;
  const modulo = 2 ** bits;
  const wrapped = Math.trunc(number) % modulo;
  return wrapped < 0 ? wrapped + modulo : wrapped + 0; // + 0 turns -0 into 0
}

/** `[Clamp] unsigned short`: NaN is 0, clamp to 0..65535, round half to even. */
export function toClampedUnsignedShort(value: unknown): number {
  const number = toNumber(value);
  if (Number.isNaN(number)) return 0;
  const clamped = Math.min(Math.max(number, 0), 0xffff);
  const floor = Math.floor(clamped);
  const fraction = clamped - floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1)) return floor + 1;
  return floor;
}

/** `[EnforceRange] unsigned short`: a non-finite number or one out of 0..65535 (after truncation) is a TypeError. */
export function toEnforcedUnsignedShort(value: unknown, what: string): number {
  const number = toNumber(value);
  if (!Number.isFinite(number)) throw new TypeError(`${what} is not a finite number.`);
  const whole = Math.trunc(number);
  if (whole < 0 || whole > 0xffff) throw new TypeError(`${what} is outside the range of an unsigned short (0-65535).`);
  return whole + 0;
}

/** A dictionary argument: undefined and null are the empty dictionary; other non-objects are a TypeError. */
export function toDictionary<T extends object>(value: T | null | undefined, what: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') throw new TypeError(`${what} is not an object.`);
  return value;
}
