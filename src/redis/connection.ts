import { createClient, RESP_TYPES, type RedisArgument } from 'redis';
import type { ResolvedRedisBrokerOptions } from './options.js';

/** What the broker uses of a node-redis client: raw commands, readiness, its lifecycle. */
export interface RedisConnection {
  readonly isReady: boolean;
  sendCommand<T = unknown>(args: ReadonlyArray<RedisArgument>, options?: { typeMapping?: object }): Promise<T>;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
}

/** Replies as Buffers (payloads are bytes), and maps as flat arrays (RESP3): key, value, key, value... */
export const BYTES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.MAP]: Array } };

/**
 * Two clients on the same server: one for commands, one that blocks in XREAD. Neither
 * queues commands while disconnected (`disableOfflineQueue`): the broker keeps its own
 * bounded, ordered queue and sends it again when Redis is back. RESP3, as node-redis
 * recommends; reconnection backs off exponentially up to `maxReconnectDelay`.
 */
export function openConnections(options: ResolvedRedisBrokerOptions): { commands: RedisConnection; reading: RedisConnection } {
  const given = options.clientOptions;
  const commands = createClient({
    ...given,
    url: options.url,
    RESP: 3,
    disableOfflineQueue: true,
    socket: { ...given.socket, reconnectStrategy: (retries: number) => Math.min(25 * 2 ** Math.min(retries, 10), options.maxReconnectDelay) },
  } as Parameters<typeof createClient>[0]) as unknown as RedisConnection & { duplicate(): RedisConnection };
  return { commands, reading: commands.duplicate() };
}
