/** permessage-deflate (RFC 7692): the Inflate and Deflate stages and what they need. */
export { Inflate, InflateCore } from './inflate.js';
export { Deflate, DeflateCore } from './deflate.js';
// The window-bit limits stay internal: the handshake exports its own under the same names.
export { DEFAULT_THRESHOLD, type DeflateOptions, type InflateOptions } from './options.js';
export { deflateExtensionStages, deflateStageOptions, type AgreedDeflate, type DeflateStageOptions } from './stage-options.js';
export { withCompress } from './opt-out.js';
export { DEFLATE_TAIL } from './deflate-tail.js';
export { ZlibLimiter, DEFAULT_ZLIB_CONCURRENCY, setZlibConcurrency, sharedZlibLimiter, type ZlibJob } from './zlib-limiter.js';
export { ZlibEnginePool, sharedEnginePool } from './zlib-engine-pool.js';
export type { EngineSpec } from './engine-spec.js';
