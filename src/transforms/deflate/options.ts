import { resolveMaxPayload } from '../limits.js';
import { sharedEnginePool, type ZlibEnginePool } from './zlib-engine-pool.js';
import { sharedZlibLimiter, type ZlibLimiter } from './zlib-limiter.js';

/** RFC 7692 §7.1.2: window bits are 8 (256 bytes) to 15 (32 KiB, the default). */
export const MIN_WINDOW_BITS = 8;
export const MAX_WINDOW_BITS = 15;
/**
 * zlib's raw deflate silently turns windowBits 8 into 9, so it cannot honour a 256-byte
 * window when compressing; the negotiation declines 8 for our compressor. Inflating with
 * 9 is always safe: a larger window reads data made with a smaller one.
 */
export const MIN_ZLIB_WINDOW_BITS = 9;
/**
 * Whole messages below this many bytes are sent uncompressed by default: below about
 * 1 KiB the DEFLATE headers and the zlib round trip cost more than compression saves.
 */
export const DEFAULT_THRESHOLD = 1024;

/** Options of the Inflate stage (what the peer compresses with, and our limit). */
export interface InflateOptions {
  /** The peer's agreed max window bits, 8..15 (RFC 7692 §7.1.2). Default 15. */
  windowBits?: number | undefined;
  /** The peer starts every message with an empty window (RFC 7692 §7.1.1): reset between messages. */
  noContextTakeover?: boolean | undefined;
  /** Largest inflated message in bytes; more fails with 1009. Default: `DEFAULT_MAX_PAYLOAD`. */
  maxPayload?: number | undefined;
  /** The zlib job queue to use. Default: the process-wide one. */
  limiter?: ZlibLimiter | undefined;
  /** Where a direction without context takeover borrows its engines, per message. Default: the process-wide pool. */
  enginePool?: ZlibEnginePool | undefined;
}

/** Options of the Deflate stage (how we compress). */
export interface DeflateOptions {
  /** Our agreed max window bits, 9..15 (8 is never agreed for a zlib compressor). Default 15. */
  windowBits?: number | undefined;
  /** Start every message with an empty window (RFC 7692 §7.1.1). */
  noContextTakeover?: boolean | undefined;
  /** zlib level, -1 (zlib's default, 6) to 9. */
  level?: number | undefined;
  /** zlib memLevel, 1..9. Default 8. */
  memLevel?: number | undefined;
  /** Whole messages smaller than this are sent uncompressed. Default {@link DEFAULT_THRESHOLD}. */
  threshold?: number | undefined;
  /** The zlib job queue to use. Default: the process-wide one. */
  limiter?: ZlibLimiter | undefined;
  /** Where a direction without context takeover borrows its engines, per message. Default: the process-wide pool. */
  enginePool?: ZlibEnginePool | undefined;
}

export interface ResolvedInflateOptions {
  windowBits: number;
  noContextTakeover: boolean;
  maxPayload: number;
  limiter: ZlibLimiter;
  enginePool: ZlibEnginePool;
}

export interface ResolvedDeflateOptions {
  windowBits: number;
  noContextTakeover: boolean;
  level: number;
  memLevel: number;
  threshold: number;
  limiter: ZlibLimiter;
  enginePool: ZlibEnginePool;
}

export function resolveInflateOptions(options: InflateOptions): ResolvedInflateOptions {
  const bits = integerIn('windowBits', options.windowBits ?? MAX_WINDOW_BITS, MIN_WINDOW_BITS, MAX_WINDOW_BITS);
  return {
    windowBits: Math.max(bits, MIN_ZLIB_WINDOW_BITS),
    noContextTakeover: options.noContextTakeover === true,
    maxPayload: resolveMaxPayload(options),
    limiter: options.limiter ?? sharedZlibLimiter,
    enginePool: options.enginePool ?? sharedEnginePool,
  };
}

export function resolveDeflateOptions(options: DeflateOptions): ResolvedDeflateOptions {
  const bits = options.windowBits ?? MAX_WINDOW_BITS;
  if (bits === MIN_WINDOW_BITS) {
    throw new RangeError('permessage-deflate: zlib cannot compress with an 8-bit window (it would use 9); negotiate 9 or more');
  }
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold >= 0)) throw new RangeError(`threshold must be a number >= 0, got ${String(threshold)}`);
  return {
    windowBits: integerIn('windowBits', bits, MIN_ZLIB_WINDOW_BITS, MAX_WINDOW_BITS),
    noContextTakeover: options.noContextTakeover === true,
    level: integerIn('level', options.level ?? -1, -1, 9),
    memLevel: integerIn('memLevel', options.memLevel ?? 8, 1, 9),
    threshold,
    limiter: options.limiter ?? sharedZlibLimiter,
    enginePool: options.enginePool ?? sharedEnginePool,
  };
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`permessage-deflate: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
