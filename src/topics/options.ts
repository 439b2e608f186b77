import { integer, oneOf, withMethods, type Schema } from '../validation/schema.js';
import type { Broker } from './broker.js';

/**
 * Bytes a subscriber may have waiting to be sent (its `bufferedAmount`) when a message is
 * published to it; past this it is a slow subscriber. 1 MiB: about a thousand 1 KiB
 * messages of lag. Frames shared by several subscribers are one buffer in memory, so what
 * slow subscribers hold is bounded by this bound of distinct published bytes, not by
 * this bound times their number.
 */
export const DEFAULT_MAX_BACKPRESSURE = 1024 * 1024;

/** What happens to a published message that would take a subscriber past `maxBackpressure`. */
export type BackpressurePolicy = 'skip' | 'close';

/** The server options of topics. */
export interface TopicOptions {
  /** See {@link DEFAULT_MAX_BACKPRESSURE}. A message alone may be larger: it is sent when nothing is waiting. */
  maxBackpressure?: number;
  /**
   * A subscriber over `maxBackpressure`: 'skip' (default) sends it nothing more until it
   * catches up; 'close' closes it with 1013 (try again later). Either way the server emits
   * 'slowSubscriber' and the connection's `counters.messagesSkipped` counts the message.
   */
  onBackpressure?: BackpressurePolicy;
  /** Carries published messages to the servers in other processes (`createRedisBroker` from `wspipe/redis`). */
  broker?: Broker;
}

/** What the server's 'slowSubscriber' event reports. */
export interface SlowSubscriberInfo {
  readonly topic: string;
  /** The subscriber's `bufferedAmount` when the message came. */
  readonly bufferedAmount: number;
  /** The message's payload size. */
  readonly messageBytes: number;
  readonly action: BackpressurePolicy;
}

export const TOPIC_OPTIONS_SCHEMA: Schema = {
  maxBackpressure: integer(0, Infinity),
  onBackpressure: oneOf(['skip', 'close']),
  broker: withMethods('a broker ({ attach, publish, subscribe, unsubscribe, close })', 'attach', 'publish', 'subscribe', 'unsubscribe', 'close'),
};
