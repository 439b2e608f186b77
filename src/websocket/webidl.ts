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

/** A dictionary argument: undefined and null are the empty dictionary; other non-objects are a TypeError. */
export function toDictionary<T extends object>(value: T | null | undefined, what: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') throw new TypeError(`${what} is not an object.`);
  return value;
}
