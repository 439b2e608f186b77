/**
 * The records that flow between stages (ARCHITECTURE.md, "The records").
 * A stage never copies payload bytes across a boundary unless it changes them.
 */

/** RFC 6455 §5.2 opcodes. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** The parsed header of one frame (RFC 6455 §5.2), shared by all its {@link FramePart}s. */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /**
   * The 32-bit masking key as an unsigned integer, its first wire byte most
   * significant (so `maskKey >>> 24` XORs payload byte 0). 0 when `masked` is false.
   */
  maskKey: number;
  /** The payload length announced by the header. */
  payloadLength: number;
}

/**
 * A piece of one frame. A small frame that arrives whole is one FramePart; a large
 * frame arriving in TCP chunks is many, all sharing the same `header` object.
 */
export interface FramePart {
  header: FrameHeader;
  /** Payload bytes of this piece (a slice of the input chunk, never a copy). */
  data: Buffer;
  /** Where `data` starts inside the frame's payload; unmasking needs `offset % 4`. */
  offset: number;
  /** Whether this is the frame's last piece. */
  last: boolean;
}

export type MessageKind = 'text' | 'binary' | 'ping' | 'pong' | 'close';

/**
 * A piece of one message. Invariants that downstream stages rely on:
 * - a control message (ping, pong, close) is always exactly one part, `last: true`;
 * - the parts of a data message arrive in order and the final one has `last: true`;
 *   control parts may appear between them (RFC 6455 §5.4).
 */
export interface MessagePart {
  kind: MessageKind;
  /**
   * The reserved bits of the message's first frame (RFC 6455 §5.2) as a mask of
   * {@link RSV1}, {@link RSV2}, {@link RSV3}: what negotiated extensions mark their messages
   * with (RSV1 is permessage-deflate's "compressed", RFC 7692 §6). On the way in, an
   * extension's stage clears the bits it processed; on the way out, it sets them.
   */
  rsv: number;
  data: Buffer;
  last: boolean;
  /** Decode side, on the first part of a frame that arrives in pieces: the frame's payload length. */
  frameLength?: number;
  /**
   * Encode side only, read by the Deflate stage on a data message's first part: `false`
   * sends this message uncompressed, `true` compresses it even below the threshold.
   * Absent: compress when permessage-deflate is on and the message reaches the threshold.
   */
  compress?: boolean;
}

/** What applications see. */
export type Message = TextMessage | BinaryMessage | PingMessage | PongMessage | CloseMessage;

/** The messages applications usually want: the two data kinds. */
export type DataMessage = TextMessage | BinaryMessage;

export interface TextMessage {
  type: 'text';
  data: string;
}
export interface BinaryMessage {
  type: 'binary';
  data: Buffer;
}
export interface PingMessage {
  type: 'ping';
  data: Buffer;
}
export interface PongMessage {
  type: 'pong';
  data: Buffer;
}
export interface CloseMessage {
  type: 'close';
  /** Absent when the close frame had no payload (reported as 1005 at the API level). */
  code?: number;
  reason: string;
}

/** Binary payloads the encoder accepts without copying. */
export type BinaryData = Buffer | ArrayBuffer | ArrayBufferView;

/**
 * A message handed to the encoder: like {@link Message}, but data may be a string or any
 * binary view either way (a string sent as binary is its UTF-8; bytes sent as text must
 * be valid UTF-8).
 */
export type OutgoingMessage =
  | { type: 'text'; data: string | BinaryData }
  | { type: 'binary'; data: BinaryData | string }
  | { type: 'ping' | 'pong'; data?: BinaryData | string }
  | CloseMessage;

export type Role = 'server' | 'client';

/** The reserved bits as they sit in a frame's first byte, shifted down (RFC 6455 §5.2). */
export const RSV1 = 0x4;
export const RSV2 = 0x2;
export const RSV3 = 0x1;

/**
 * Builds a MessagePart. The common part has four fields and one shape; the hints are
 * added only where they apply (a split frame's length on the way in, a per-message
 * compression choice on the way out): measured, two more fields on every part cost about
 * 60 heap bytes per decoded frame, more than the rare second shape costs a reader.
 */
export function messagePart(kind: MessageKind, rsv: number, data: Buffer, last: boolean): MessagePart {
  return { kind, rsv, data, last };
}

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/** RFC 6455 §5.5: control frames carry at most 125 payload bytes and are never fragmented. */
export const MAX_CONTROL_PAYLOAD = 125;

/** RFC 6455 §5.2: a frame header is 2 bytes, 2 or 8 more for the length (minimal encoding), 4 more for a mask key. */
export function frameHeaderSize(payloadLength: number, masked: boolean): number {
  return (payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/** Node's internal Buffer class: constructing it directly skips `subarray`'s species lookup. */
const FastBuffer = (Buffer as unknown as { [Symbol.species]: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer })[
  Symbol.species
];

/** `buffer.subarray(start, end)` without its per-call overhead: the parser's hot path slices every frame. */
export function sliceOf(buffer: Buffer, start: number, end: number): Buffer {
  return new FastBuffer(buffer.buffer, buffer.byteOffset + start, end - start);
}
