import type { Transform } from 'node:stream';
import type { NegotiatedDeflate } from '../handshake/permessage-deflate/options.js';
import type { DecoderLimits } from '../transforms/limits.js';
import type { Role } from '../transforms/records.js';

/** RFC 6455 §7.1.1 leaves the wait for the peer's close to us: 30 s, as browsers roughly do. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** After a protocol error the close frame gets this long to leave before the socket is destroyed. */
export const ERROR_GRACE_MS = 1_000;
/** A send that would push the outgoing buffer past this fails instead of growing memory. */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 64 * 1024 * 1024;
/** Async iteration pauses the socket once this many messages wait for the consumer. */
export const DEFAULT_ITERATOR_HIGH_WATER = 16;

/** Ping every `interval` ms; terminate a peer whose pong has not come `timeout` ms later. */
export interface HeartbeatOptions {
  interval: number;
  /** Default: `interval`. */
  timeout?: number;
}

/** Where a user stage goes in the decode chain: after the named stage. */
export type DecodeStagePosition = 'HeaderParser' | 'Unmasker' | 'Defragmenter' | 'Inflate' | 'MessageDecoder';
/** Where a user stage goes in the encode chain: after the named stage. */
export type EncodeStagePosition = 'MessageEncoder' | 'Deflate' | 'Fragmenter' | 'Masker' | 'FrameSerializer';

/** A user Transform inserted into a chain; `create` is called once per connection. */
export interface StageInsertion<Position extends string> {
  after: Position;
  create: () => Transform;
}

export interface CustomStages {
  decode?: ReadonlyArray<StageInsertion<DecodeStagePosition>>;
  encode?: ReadonlyArray<StageInsertion<EncodeStagePosition>>;
}

export interface ConnectionOptions extends DecoderLimits {
  role: Role;
  /** The subprotocol agreed in the handshake ('' for none). */
  protocol?: string;
  /** The Sec-WebSocket-Extensions value agreed in the handshake ('' for none). */
  extensions?: string;
  /** permessage-deflate, when the handshake agreed on it. */
  deflate?: NegotiatedDeflate | null;
  /** Answer pings with pongs automatically (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /** How long `close()` waits for the peer's close frame and TCP close. Default 30 s. */
  closeTimeout?: number;
  heartbeat?: HeartbeatOptions;
  /** Split outgoing data messages into frames of at most this many bytes. */
  fragmentSize?: number;
  /** Most bytes the outgoing buffer may hold; `send()` throws past it. Default 64 MiB. */
  maxBufferedAmount?: number;
  /** Deliver data messages as Readable streams (`'stream'` events) instead of whole. */
  streamMessages?: boolean;
  /** User Transforms inserted into the decode and encode chains. */
  stages?: CustomStages;
  /** Bytes that arrived after the handshake and belong to the WebSocket stream. */
  head?: Buffer;
}
