import { DECODER_LIMITS_SCHEMA, resolveMaxPayload } from '../limits.js';
import { boolean, validateOptions, withMethods, type Schema } from '../../validation/schema.js';
import {
  anyWindowBits,
  compressWindowBits,
  DEFAULT_THRESHOLD,
  MAX_WINDOW_BITS,
  MIN_ZLIB_WINDOW_BITS,
  TUNING_SCHEMA,
} from './parameters.js';

export { DEFAULT_THRESHOLD } from './parameters.js';
import { sharedEnginePool, type ZlibEnginePool } from './zlib-engine-pool.js';
import { sharedZlibLimiter, type ZlibLimiter } from './zlib-limiter.js';

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

const zlibResources: Schema = {
  limiter: withMethods('a ZlibLimiter', 'run'),
  enginePool: withMethods('a ZlibEnginePool', 'borrow', 'giveBack'),
};

/** The checks of the Inflate stage's options. */
export const INFLATE_SCHEMA: Schema = {
  windowBits: anyWindowBits,
  noContextTakeover: boolean,
  maxPayload: DECODER_LIMITS_SCHEMA.maxPayload!,
  ...zlibResources,
};

/** The checks of the Deflate stage's options. */
export const DEFLATE_SCHEMA: Schema = {
  windowBits: compressWindowBits,
  noContextTakeover: boolean,
  ...TUNING_SCHEMA,
  ...zlibResources,
};

export function resolveInflateOptions(options: InflateOptions): ResolvedInflateOptions {
  validateOptions(options, INFLATE_SCHEMA);
  return {
    windowBits: Math.max(options.windowBits ?? MAX_WINDOW_BITS, MIN_ZLIB_WINDOW_BITS),
    noContextTakeover: options.noContextTakeover === true,
    maxPayload: resolveMaxPayload(options),
    limiter: options.limiter ?? sharedZlibLimiter,
    enginePool: options.enginePool ?? sharedEnginePool,
  };
}

export function resolveDeflateOptions(options: DeflateOptions): ResolvedDeflateOptions {
  validateOptions(options, DEFLATE_SCHEMA);
  return {
    windowBits: options.windowBits ?? MAX_WINDOW_BITS,
    noContextTakeover: options.noContextTakeover === true,
    level: options.level ?? -1,
    memLevel: options.memLevel ?? 8,
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    limiter: options.limiter ?? sharedZlibLimiter,
    enginePool: options.enginePool ?? sharedEnginePool,
  };
}
