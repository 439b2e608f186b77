import { MAX_WINDOW_BITS, MIN_WINDOW_BITS, MIN_ZLIB_WINDOW_BITS, PERMESSAGE_DEFLATE, perMessageDeflateSchema } from '../../transforms/deflate/parameters.js';
import { validateOptions } from '../../validation/schema.js';

/** The RFC 7692 name and window limits, re-exported from the one place they are defined. */
export { MAX_WINDOW_BITS, MIN_WINDOW_BITS, MIN_ZLIB_WINDOW_BITS as MIN_DEFLATE_WINDOW_BITS, PERMESSAGE_DEFLATE };

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

import type { NegotiatedDeflate } from '../../transforms/deflate/stage-options.js';

export type { NegotiatedDeflate };

/**
 * Checks options for a role, naming the option (`perMessageDeflate.level`) in the
 * TypeError or RangeError: window bits the role compresses with must be 9..15, those it
 * only asks for or inflates with 8..15.
 */
export function validateDeflateOptions(options: unknown, role: 'server' | 'client', where = 'perMessageDeflate'): void {
  validateOptions(options, perMessageDeflateSchema(role), where);
}

/** The pass-through fields of the options, for {@link NegotiatedDeflate}. */
export function passThrough(options: PerMessageDeflateOptions): Pick<NegotiatedDeflate, 'threshold' | 'level' | 'memLevel'> {
  const out: { threshold?: number; level?: number; memLevel?: number } = {};
  if (options.threshold !== undefined) out.threshold = options.threshold;
  if (options.level !== undefined) out.level = options.level;
  if (options.memLevel !== undefined) out.memLevel = options.memLevel;
  return out;
}
