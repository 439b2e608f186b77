/**
 * Deterministic payloads for the interop suites. The generators are plain JavaScript
 * source (PAYLOAD_GENERATORS_JS) so that the very same code runs here, in a child Node
 * process and in a browser page: a peer generates a payload, and the test computes the
 * digest it expects from the same generator, without shipping megabytes around.
 */
import { createHash } from 'node:crypto';

/** The message sizes every interop suite sends: around each length-encoding boundary, then big. */
export const INTEROP_SIZES: readonly number[] = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20];

/**
 * `patternBytes(size, seed)` → Uint8Array and `patternText(size, seed)` → string of
 * `size` printable ASCII characters (so `size` UTF-8 bytes). A 32-bit LCG, no closures,
 * no dependencies: safe to paste into any JavaScript realm.
 */
export const PAYLOAD_GENERATORS_JS = `
function patternBytes(size, seed) {
  var out = new Uint8Array(size);
  var x = (Math.imul(seed + 1, 2654435761) ^ size) >>> 0;
  for (var i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
function patternText(size, seed) {
  var bytes = patternBytes(size, seed + 1000);
  for (var i = 0; i < size; i++) bytes[i] = 32 + (bytes[i] % 95);
  var parts = [];
  for (var j = 0; j < size; j += 65536) parts.push(String.fromCharCode.apply(null, bytes.subarray(j, j + 65536)));
  return parts.join('');
}
`;

const generators = new Function(`${PAYLOAD_GENERATORS_JS}\nreturn { patternBytes: patternBytes, patternText: patternText };`)() as {
  patternBytes: (size: number, seed: number) => Uint8Array;
  patternText: (size: number, seed: number) => string;
};

export function patternBytes(size: number, seed = 0): Buffer {
  const bytes = generators.patternBytes(size, seed);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function patternText(size: number, seed = 0): string {
  return generators.patternText(size, seed);
}

/** Hex SHA-256 of bytes, or of a string's UTF-8 encoding. */
export function sha256Hex(data: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A human label for a size: "16 MiB", "65536 B". */
export function sizeLabel(size: number): string {
  if (size >= 1 << 20 && size % (1 << 20) === 0) return `${size >> 20} MiB`;
  return `${size} B`;
}

/**
 * Compares a received payload with the expected one without letting an assertion
 * library diff megabytes: returns null when equal, else a short description.
 */
export function payloadMismatch(actual: Buffer | string, expected: Buffer | string): string | null {
  if (typeof actual !== typeof expected) return `type ${typeof actual}, expected ${typeof expected}`;
  if (typeof actual === 'string') {
    if (actual === expected) return null;
    const e = expected as string;
    let i = 0;
    while (i < actual.length && i < e.length && actual.charCodeAt(i) === e.charCodeAt(i)) i++;
    return `text differs: length ${actual.length} vs ${e.length}, first difference at index ${i}`;
  }
  const e = expected as Buffer;
  if (actual.equals(e)) return null;
  let i = 0;
  while (i < actual.length && i < e.length && actual[i] === e[i]) i++;
  return `bytes differ: length ${actual.length} vs ${e.length}, first difference at offset ${i}`;
}
