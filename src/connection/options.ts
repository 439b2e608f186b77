import type { Transform } from 'node:stream';
import type { DecodeStageName, EncodeStageName } from '../transforms/chain-stages.js';
import { EXTENSION_STAGES_CHECK, type ExtensionStages } from '../transforms/extension-stages.js';
import type { RecordSink, StageCore } from '../transforms/stage.js';
import { DECODER_LIMITS_SCHEMA, DEFAULT_MAX_PAYLOAD, type DecoderLimits } from '../transforms/limits.js';
import { FRAGMENTER_SCHEMA } from '../transforms/encode/fragmenter.js';
import {
  arrayOf,
  boolean,
  bytes,
  func,
  integer,
  milliseconds,
  object,
  oneOf,
  required,
  string,
  type Schema,
} from '../validation/schema.js';
import type { Role } from '../transforms/records.js';
import type { TopicJoin } from './publish-port.js';
import { MEMORY_BUDGET_CHECK, type MemoryBudget } from '../transforms/memory-budget.js';
import { RATE_LIMIT_OPTION, type RateLimitOptions } from '../transforms/rate-limiter.js';

/** RFC 6455 §7.1.1 leaves the wait for the peer's close to us: 30 s, as browsers roughly do. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** After a protocol error the close frame gets this long to leave before the socket is destroyed. */
export const ERROR_GRACE_MS = 1_000;
/**
 * A send that would take the bytes buffered for sending past this fails instead of growing
 * memory — unless nothing is buffered: a single message may be larger. The same as the
 * default `maxPayload`, so that any message a default peer accepts can be sent.
 */
export const DEFAULT_MAX_BUFFERED_AMOUNT = DEFAULT_MAX_PAYLOAD;
/** Async iteration pauses the socket once this many messages wait for the consumer. */
export const DEFAULT_ITERATOR_HIGH_WATER = 16;

/** Ping every `interval` ms; terminate a peer whose pong has not come `timeout` ms later. */
export interface HeartbeatOptions {
  interval: number;
  /** Default: `interval`. */
  timeout?: number;
}

/** Where a user stage goes in the decode chain: after a built-in stage, or after an extension's (by its name). */
export type DecodeStagePosition = DecodeStageName | (string & {});
/** Where a user stage goes in the encode chain: likewise. */
export type EncodeStagePosition = EncodeStageName | (string & {});

/**
 * A user stage inserted into a chain, after the named stage, made once per connection.
 * Give `core` for a stage that runs in the fused chain — called directly, no stream hop,
 * the way the built-in stages run — or `create` for a Transform you already have (the
 * chain is then cut into stream segments around it).
 */
export interface StageInsertion<Position extends string> {
  after: Position;
  /** Makes the stage's core, writing to `next`. The records it sees depend on its place (README: "Stages and extensions"). */
  core?: (next: RecordSink<never>) => StageCore<never>;
  /** Makes a Transform. */
  create?: () => Transform;
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
  /** The stages of the extensions the handshake agreed on, in the agreed order. */
  extensionStages?: readonly ExtensionStages[];
  /** Answer pings with pongs automatically (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /** How long `close()` waits for the peer's close frame and TCP close. Default 30 s. */
  closeTimeout?: number;
  heartbeat?: HeartbeatOptions;
  /** Split outgoing data messages into frames of at most this many bytes. */
  fragmentSize?: number;
  /** Most bytes buffered for sending; `send()` throws past it unless nothing is buffered. Default 100 MiB. */
  maxBufferedAmount?: number;
  /** Deliver data messages as Readable streams (`'stream'` events) instead of whole. */
  streamMessages?: boolean;
  /** User Transforms inserted into the decode and encode chains. */
  stages?: CustomStages;
  /** Bytes that arrived after the handshake and belong to the WebSocket stream. */
  head?: Buffer;
  /** What carries the connection: a socket upgraded from HTTP/1.1, or an HTTP/2 stream (RFC 8441). Default 'http/1.1'. */
  transport?: Transport;
  /** Set by the server that accepts the connection: how it joins that server's topics. */
  topics?: TopicJoin;
  /**
   * Close a peer that sends nothing for this many ms — no message, no control frame, and
   * less than 16 KiB of an unfinished frame — with 1001; halfway through the silence it is
   * sent a ping, so a live peer answers with a pong and stays. 0 turns it off. Default:
   * off for a connection or client, 2 minutes on a server.
   */
  idleTimeout?: number;
  /** A token bucket on the peer's messages and bytes per second: pause reading or close with 1008. Default: none. */
  rateLimit?: RateLimitOptions;
  /**
   * The memory budget that unfinished incoming messages reserve from, shared with other
   * connections; past it the connection fails with 1013. Default: a server's own (see
   * `maxMessageMemory`), else one shared by the process (512 MiB).
   */
  messageMemory?: MemoryBudget;
  /**
   * What a `send()` past `maxBufferedAmount` does: `'throw'` (default) throws
   * `WS_ERR_SEND_BUFFER_FULL`; `'close'` fails the connection with 1008 and drops the
   * message, for servers that send without waiting for 'drain' (uWebSockets'
   * closeOnBackpressureLimit).
   */
  onSendBufferFull?: 'throw' | 'close';
}

/** What a connection runs over: an upgraded HTTP/1.1 connection, or one HTTP/2 stream (RFC 8441). */
export type Transport = 'http/1.1' | 'h2';

function insertions(): ReturnType<typeof arrayOf> {
  return arrayOf(object({ after: required(string()), core: func, create: func }, 'a stage insertion { after, core | create }'));
}

/** The checks of the options every connection takes (the server's and the client's too). */
export const CONNECTION_OPTIONS_SCHEMA: Schema = {
  ...DECODER_LIMITS_SCHEMA,
  ...FRAGMENTER_SCHEMA,
  autoPong: boolean,
  closeTimeout: milliseconds(0),
  heartbeat: object({ interval: required(milliseconds(1)), timeout: milliseconds(1) }),
  maxBufferedAmount: integer(0, Infinity),
  streamMessages: boolean,
  stages: object({ decode: insertions(), encode: insertions() }),
  idleTimeout: milliseconds(0),
  rateLimit: RATE_LIMIT_OPTION,
  messageMemory: MEMORY_BUDGET_CHECK,
  onSendBufferFull: oneOf(['throw', 'close']),
};

/** What `new Connection(socket, options)` checks: the above, and what the handshake agreed. */
export const CONNECTION_SCHEMA: Schema = {
  ...CONNECTION_OPTIONS_SCHEMA,
  role: required(oneOf(['server', 'client'])),
  protocol: string(),
  extensions: string(),
  head: bytes,
  transport: oneOf(['http/1.1', 'h2']),
  extensionStages: arrayOf(EXTENSION_STAGES_CHECK),
  topics: func,
};
