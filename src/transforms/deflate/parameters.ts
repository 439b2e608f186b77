/**
 * The facts of RFC 7692 and zlib that both the negotiation (handshake) and the stages
 * need, in one place: window sizes, zlib's tuning ranges, the compression threshold.
 */
import { boolean, either, integer, type Check, type Schema } from '../../validation/schema.js';

/** RFC 7692 §7: the registered extension name. */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** RFC 7692 §7.1.2: window bits are 8 (256 bytes) to 15 (32 KiB, the default). */
export const MIN_WINDOW_BITS = 8;
export const MAX_WINDOW_BITS = 15;
/**
 * zlib's raw deflate silently turns windowBits 8 into 9, so it cannot honour a 256-byte
 * window when compressing: wspipe never agrees to compress with 8. Inflating with 9 is
 * always safe: a larger window reads data made with a smaller one.
 */
export const MIN_ZLIB_WINDOW_BITS = 9;
/**
 * Whole messages below this many bytes are sent uncompressed by default: below about
 * 1 KiB the DEFLATE headers and the zlib round trip cost more than compression saves.
 */
export const DEFAULT_THRESHOLD = 1024;

/** Window bits a side compresses with (9..15) or only asks for / inflates with (8..15). */
export const compressWindowBits: Check = integer(MIN_ZLIB_WINDOW_BITS, MAX_WINDOW_BITS);
export const anyWindowBits: Check = integer(MIN_WINDOW_BITS, MAX_WINDOW_BITS);
/** zlib's level: -1 (its default, 6) to 9. */
export const zlibLevel: Check = integer(-1, 9);
/** zlib's memLevel: 1 to 9. */
export const zlibMemLevel: Check = integer(1, 9);
export const threshold: Check = integer(0);

/** The tuning options that are not negotiated, shared by every schema that takes them. */
export const TUNING_SCHEMA: Schema = { threshold, level: zlibLevel, memLevel: zlibMemLevel };

/**
 * `perMessageDeflate` as a server (what it accepts) or a client (what it offers), or
 * what either accepts: the window a role compresses with must be one zlib can honour.
 */
export function perMessageDeflateSchema(role: 'server' | 'client' | 'either'): Schema {
  return {
    ...TUNING_SCHEMA,
    serverNoContextTakeover: boolean,
    clientNoContextTakeover: boolean,
    serverMaxWindowBits: role === 'server' ? compressWindowBits : anyWindowBits,
    clientMaxWindowBits: either(boolean, role === 'client' ? compressWindowBits : anyWindowBits),
  };
}
