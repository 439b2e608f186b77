import type { RedisClientOptions } from 'redis';
import { integer, milliseconds, object, string, validateOptions, type Schema } from '../validation/schema.js';

/** Entries each topic's stream keeps (XADD MAXLEN ~): what a process that lost Redis can still catch up on, per topic. */
export const DEFAULT_MAX_STREAM_LENGTH = 10_000;
/** A topic's stream with no publication for this long is deleted (PEXPIRE), so abandoned topics do not stay in Redis. */
export const DEFAULT_STREAM_TTL_MS = 60 * 60 * 1000;
/** Publications waiting for Redis (unreachable, or not yet answered): at most this many... */
export const DEFAULT_MAX_PENDING = 65_536;
/** ...and this many payload bytes; past either, publish() throws WS_ERR_BROKER_BACKLOG. */
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Publications kept after Redis confirmed them, to publish again if Redis restarts having lost them. */
export const REPLAY_WINDOW_MS = 2_000;
/** The longest wait between two attempts to reach Redis again. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;

export interface RedisBrokerOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Further options of node-redis's `createClient()` (TLS, credentials...); the broker sets `url`, `RESP` (3), `disableOfflineQueue` and the reconnect strategy itself. */
  clientOptions?: RedisClientOptions;
  /** Prefix of the Redis keys of topic streams: `<prefix><topic>`. Default `wspipe:topic:`. */
  prefix?: string;
  /** See {@link DEFAULT_MAX_STREAM_LENGTH}. */
  maxStreamLength?: number;
  /** See {@link DEFAULT_STREAM_TTL_MS}, in ms. */
  streamTtl?: number;
  /** See {@link DEFAULT_MAX_PENDING}. */
  maxPending?: number;
  /** See {@link DEFAULT_MAX_PENDING_BYTES}. */
  maxPendingBytes?: number;
  /** See {@link DEFAULT_MAX_RECONNECT_DELAY_MS}, in ms. */
  maxReconnectDelay?: number;
}

export interface ResolvedRedisBrokerOptions {
  url: string;
  clientOptions: RedisClientOptions;
  prefix: string;
  maxStreamLength: number;
  streamTtl: number;
  maxPending: number;
  maxPendingBytes: number;
  maxReconnectDelay: number;
}

/** The checks of every `createRedisBroker()` option, run at the call. */
export const REDIS_BROKER_SCHEMA: Schema = {
  url: string((url) => /^rediss?:\/\//.test(url), 'a redis:// or rediss:// URL'),
  clientOptions: object({}),
  prefix: string(),
  maxStreamLength: integer(1),
  streamTtl: milliseconds(1000),
  maxPending: integer(1),
  maxPendingBytes: integer(1),
  maxReconnectDelay: milliseconds(1),
};

export function resolveRedisBrokerOptions(options: RedisBrokerOptions): ResolvedRedisBrokerOptions {
  validateOptions(options, REDIS_BROKER_SCHEMA);
  return {
    url: options.url ?? 'redis://127.0.0.1:6379',
    clientOptions: options.clientOptions ?? {},
    prefix: options.prefix ?? 'wspipe:topic:',
    maxStreamLength: options.maxStreamLength ?? DEFAULT_MAX_STREAM_LENGTH,
    streamTtl: options.streamTtl ?? DEFAULT_STREAM_TTL_MS,
    maxPending: options.maxPending ?? DEFAULT_MAX_PENDING,
    maxPendingBytes: options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES,
    maxReconnectDelay: options.maxReconnectDelay ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
  };
}
