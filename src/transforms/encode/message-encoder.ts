import { isUtf8 } from 'node:buffer';
import { buildClosePayload } from '../close-frame.js';
import { invalidMessage } from '../invalid-message.js';
import { EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, messagePart, type BinaryData, type MessagePart, type OutgoingMessage } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

/** What the encode chain accepts: whole messages, or message parts for streamed messages. */
export type EncoderInput = OutgoingMessage | MessagePart;

/**
 * Message → MessagePart. Turns text into UTF-8 bytes, wraps binary views without copying,
 * and refuses control messages the protocol does not allow, with an error for the caller.
 * MessageParts pass through, so a message can also be written as several parts.
 */
export class MessageEncoderCore implements StageCore<EncoderInput> {
  constructor(private readonly next: RecordSink<MessagePart>) {}

  accept(input: EncoderInput): void {
    this.next.accept('kind' in input ? checkPart(input) : encodeMessage(input));
  }
}

/** Encodes one whole message into its single part; throws for an invalid message. */
export function encodeMessage(message: OutgoingMessage): MessagePart {
  switch (message.type) {
    case 'text':
    case 'binary':
      return dataPart(message.type, message.data, undefined);
    case 'ping':
    case 'pong':
      return checkPart(messagePart(message.type, 0, controlData(message.data), true));
    case 'close':
      return closePart(message.code, message.reason ?? '');
    default:
      throw invalidMessage(`Unknown message type ${String((message as { type: unknown }).type)}`);
  }
}

/**
 * The one place a data message becomes bytes: a string is encoded as UTF-8, bytes are
 * viewed without copying. Bytes sent as text must be valid UTF-8 (RFC 6455 §5.6).
 */
export function dataPart(kind: 'text' | 'binary', data: string | BinaryData, compress: boolean | undefined): MessagePart {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data);
  if (kind === 'text' && typeof data !== 'string' && !isUtf8(bytes)) throw invalidMessage('Bytes sent as a text message must be valid UTF-8');
  return wholePart(kind, bytes, compress);
}

/**
 * A whole data message's part from bytes already checked (a received text message, a
 * publication): the plain four-field shape, or with the `compress` hint when there is one.
 */
export function wholePart(kind: 'text' | 'binary', bytes: Buffer, compress: boolean | undefined): MessagePart {
  return compress === undefined ? messagePart(kind, 0, bytes, true) : { kind, rsv: 0, data: bytes, last: true, compress };
}

/** A close message's part; throws for a code or reason that may not be sent (RFC 6455 §7.4). */
export function closePart(code: number | undefined, reason: string): MessagePart {
  return messagePart('close', 0, buildClosePayload(code, reason), true);
}

/** Views the bytes of any binary value as a Buffer, sharing its memory. */
export function toBuffer(data: BinaryData): Buffer {
  const bytes = bufferOf(data);
  if (bytes === null) throw sendDataTypeError(data);
  return bytes;
}

/** {@link toBuffer}, or null for a value that is not binary (for callers with their own error). */
export function bufferOf(data: unknown): Buffer | null {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** What `send()` and the encoder say of data that is neither text nor bytes. */
export function sendDataTypeError(data: unknown): TypeError & { code: 'ERR_INVALID_ARG_TYPE' } {
  const error = new TypeError(
    `The data to send must be a string, Buffer, TypedArray, DataView or ArrayBuffer. Received ${data === null ? 'null' : typeof data}`,
  ) as TypeError & { code: 'ERR_INVALID_ARG_TYPE' };
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
}

function controlData(data: BinaryData | string | undefined): Buffer {
  if (data === undefined) return EMPTY_BUFFER;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data);
}

function checkPart(part: MessagePart): MessagePart {
  if (part.kind === 'text' || part.kind === 'binary') return part;
  // RFC 6455 §5.5: control frames carry at most 125 bytes and are never fragmented.
  if (part.data.length > MAX_CONTROL_PAYLOAD) {
    throw invalidMessage(`A ${part.kind} payload is ${part.data.length} bytes; at most ${MAX_CONTROL_PAYLOAD} are allowed`);
  }
  if (!part.last) throw invalidMessage(`A ${part.kind} message cannot be sent in parts`);
  return part;
}

/** The message-encoding stage as a Transform: messages or parts in, {@link MessagePart} out. */
export class MessageEncoder extends StageTransform<EncoderInput, MessagePart> {
  constructor(options: StageStreamOptions = {}) {
    super((sink) => new MessageEncoderCore(sink), { objectMode: true, batch: batchOf(options) });
  }
}
