/**
 * What carries published messages between processes (`createServer({ broker })`): the
 * server publishes every message to it, subscribes to the topics that have subscribers
 * here, and delivers what it brings from other processes to them. `wspipe/redis` has one.
 */

/** A published message as it travels between processes. */
export interface BrokerMessage {
  readonly topic: string;
  readonly kind: 'text' | 'binary';
  /** The payload (UTF-8 for text). */
  readonly payload: Buffer;
  /** `send()`'s per-message compression hint, if one was given. */
  readonly compress: boolean | undefined;
}

/** What a broker reports to the server it serves. */
export interface BrokerHost {
  /** A message another process published: for the subscribers here. */
  deliver(message: BrokerMessage): void;
}

export interface Broker {
  /** Called once, by the server the broker is given to. */
  attach(host: BrokerHost): void;
  /**
   * Sends a message to the other processes (never back to this one). Throws, and the
   * server then delivers the message nowhere, when the broker cannot take it.
   */
  publish(message: BrokerMessage): void;
  /** The first subscriber of `topic` here appeared: deliver its messages from now on. */
  subscribe(topic: string): void;
  /** The last subscriber of `topic` here left. */
  unsubscribe(topic: string): void;
  /** Stops; called when the server closes. */
  close(): Promise<void>;
}
