import { RATE_LIMIT_SCHEMA, RateLimiterCore, type RateLimitOptions } from '../transforms/rate-limiter.js';
import type { RecordSink } from '../transforms/stage.js';
import { validateOptions } from '../validation/schema.js';
import type { StageInsertion } from './options.js';

export type { RateLimitOptions } from '../transforms/rate-limiter.js';

/**
 * A per-connection rate limit as a user stage, right after HeaderParser (where every frame
 * is seen): `stages: { decode: [rateLimit({ messagesPerSecond: 100 })] }`. The `rateLimit`
 * option of a server or a client inserts the same stage.
 */
export function rateLimit(options: RateLimitOptions): StageInsertion<'HeaderParser'> {
  validateOptions(options, RATE_LIMIT_SCHEMA, 'rateLimit');
  return { after: 'HeaderParser', core: (next: RecordSink<never>) => new RateLimiterCore(options, next) };
}
