/** RFC 7692 §7: the registered extension name. */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** RFC 7692 §7.1.2: window bits range from 8 (256 bytes) to 15 (32 KiB, the default). */
export const MIN_WINDOW_BITS = 8;
export const MAX_WINDOW_BITS = 15;

/**
 * The smallest window Node's zlib can *compress* with. Raw deflate with windowBits 8
 * silently uses 9, and a peer holding only a 256-byte window may then fail to
 * inflate it, so we never agree to compress with 8 (see the server and client
 * negotiation functions).
 */
export const MIN_DEFLATE_WINDOW_BITS = 9;

/**
 * Options of permessage-deflate, for either role. The four RFC 7692 parameters mean:
 *
 * Client role (what the offer asks for):
 * - `serverNoContextTakeover`: ask the server not to keep its window between messages.
 * - `clientNoContextTakeover`: promise not to keep our window (a hint).
 * - `serverMaxWindowBits` (8..15): ask the server to compress with at most this window.
 * - `clientMaxWindowBits`: `true` (default) offers `client_max_window_bits` with no
 *   value, so the server may limit our window; a number (9..15) also promises to
 *   compress with at most that; `false` leaves the parameter out.
 *
 * Server role (what the server accepts / imposes):
 * - `serverNoContextTakeover`: always reset our compression context per message
 *   (sent back even if not asked); a client's request for it is always honoured.
 * - `clientNoContextTakeover`: `true` tells every client not to keep its window;
 *   `false` never does; `undefined` echoes the client's own hint.
 * - `serverMaxWindowBits` (9..15): the largest window we compress with.
 * - `clientMaxWindowBits`: a number (8..15) limits the client's window; offers that do
 *   not allow limiting it are then declined if the number is below 15. `true` /
 *   `undefined` echo the value a client offered (saves inflate memory); `false`
 *   never sends the parameter.
 *
 * `threshold`, `level` and `memLevel` are not negotiated; they are passed through to
 * {@link NegotiatedDeflate} for the compression stage.
 */
export interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number | boolean;
  /** Messages smaller than this many bytes are sent uncompressed. */
  threshold?: number;
  /** zlib compression level, -1..9. */
  level?: number;
  /** zlib memLevel, 1..9. */
  memLevel?: number;
}

/**
 * The agreed parameters (RFC 7692 §5), the same for both roles: `server*` fields
 * govern data the server compresses and the client inflates, `client*` fields the
 * other direction. Window bits are 8..15 (15 when not negotiated).
 *
 * The side that compresses never gets a window below 9 from negotiation. The side
 * that inflates must use `inflateWindowBits(bits)` (i.e. at least 9), since a larger
 * window always inflates data made with a smaller one.
 */
export interface NegotiatedDeflate {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
  readonly threshold?: number | undefined;
  readonly level?: number | undefined;
  readonly memLevel?: number | undefined;
}

/** The windowBits to give zlib's inflateRaw for a negotiated window (never below 9). */
export function inflateWindowBits(bits: number): number {
  return Math.max(bits, MIN_DEFLATE_WINDOW_BITS);
}

function checkBits(name: string, value: unknown, min: number, why: string): void {
  if (value === undefined || typeof value === 'boolean') return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_WINDOW_BITS) {
    throw new RangeError(`perMessageDeflate.${name} must be an integer from ${min} to ${MAX_WINDOW_BITS}${why}`);
  }
}

function checkRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`perMessageDeflate.${name} must be an integer from ${min} to ${max}`);
  }
}

const NO_EIGHT = " (Node's zlib cannot compress with an 8-bit window)";

/**
 * Checks options for a role and throws a RangeError on a bad value. Window bits the
 * role would compress with must be 9..15; those it only asks for or inflates with
 * may be 8..15.
 */
export function validateDeflateOptions(options: PerMessageDeflateOptions, role: 'server' | 'client'): void {
  if (typeof options.serverMaxWindowBits === 'boolean') {
    throw new RangeError('perMessageDeflate.serverMaxWindowBits must be a number');
  }
  if (role === 'server') {
    checkBits('serverMaxWindowBits', options.serverMaxWindowBits, MIN_DEFLATE_WINDOW_BITS, NO_EIGHT);
    checkBits('clientMaxWindowBits', options.clientMaxWindowBits, MIN_WINDOW_BITS, '');
  } else {
    checkBits('serverMaxWindowBits', options.serverMaxWindowBits, MIN_WINDOW_BITS, '');
    checkBits('clientMaxWindowBits', options.clientMaxWindowBits, MIN_DEFLATE_WINDOW_BITS, NO_EIGHT);
  }
  checkRange('threshold', options.threshold, 0, Number.MAX_SAFE_INTEGER);
  checkRange('level', options.level, -1, 9);
  checkRange('memLevel', options.memLevel, 1, 9);
}

/** The pass-through fields of the options, for {@link NegotiatedDeflate}. */
export function passThrough(options: PerMessageDeflateOptions): Pick<NegotiatedDeflate, 'threshold' | 'level' | 'memLevel'> {
  const out: { threshold?: number; level?: number; memLevel?: number } = {};
  if (options.threshold !== undefined) out.threshold = options.threshold;
  if (options.level !== undefined) out.level = options.level;
  if (options.memLevel !== undefined) out.memLevel = options.memLevel;
  return out;
}
