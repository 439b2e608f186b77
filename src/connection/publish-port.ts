import type { ExtensionStages } from '../transforms/extension-stages.js';
import type { BinaryData } from '../transforms/records.js';
import type { Connection, SendOptions } from './connection.js';
import type { FramedMessage } from './outbound.js';

/** How a connection turns messages into frames: what decides whether it can share published frames. */
export interface EncodingSetup {
  readonly fragmentSize: number | undefined;
  /** The extensions agreed, in order (their encode stages run in it). */
  readonly extensions: readonly ExtensionStages[];
  /** The user placed stages in the encode chain: every message must pass through them. */
  readonly customStages: boolean;
}

/**
 * What a connection gives the topics of the server that accepted it (src/topics): the
 * narrow ways to send a published message, both through the connection's send accounting
 * (`bufferedAmount`, the order of its data messages, its counters).
 */
export interface PublishPort {
  readonly connection: Connection;
  readonly encoding: EncodingSetup;
  isOpen(): boolean;
  bufferedAmount(): number;
  /** Writes bytes framed once for many connections. */
  sendFramed(frame: FramedMessage): boolean;
  /** Sends a message through this connection's own encode chain (a stage that cannot share). */
  sendOwn(kind: 'text' | 'binary', payload: Buffer, compress: boolean | undefined): boolean;
}

/** A connection's side of its server's topics: what `connection.subscribe()` and its kin do. */
export interface TopicMembership {
  subscribe(topic: string): boolean;
  unsubscribe(topic: string): boolean;
  topics(): ReadonlySet<string>;
  publish(topic: string, data: string | BinaryData, options: SendOptions | undefined): number;
}

/** Given by a server to the connections it accepts (the `topics` connection option): joins its topics. */
export type TopicJoin = (port: PublishPort) => TopicMembership;
