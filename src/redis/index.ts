/**
 * wspipe/redis: a broker over Redis Streams, so that `server.publish()` reaches the
 * subscribers of every server process connected to the same Redis. `redis` (node-redis)
 * is an optional peer dependency used only by this entry.
 */
export { createRedisBroker, RedisBroker, type RedisBrokerEvents } from './redis-broker.js';
export {
  DEFAULT_MAX_PENDING,
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_MAX_STREAM_LENGTH,
  DEFAULT_STREAM_TTL_MS,
  REPLAY_WINDOW_MS,
  type RedisBrokerOptions,
} from './options.js';
export type { Broker, BrokerHost, BrokerMessage } from '../topics/broker.js';
