import { buildClosePayload } from '../close-frame.js';
import { invalidMessage } from '../invalid-message.js';
import { EMPTY_BUFFER, type BinaryData, type MessagePart, type OutgoingMessage } from '../records.js';
import { StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

/** RFC 6455 §5.5: control frame payloads are at most 125 bytes. */
const MAX_CONTROL_PAYLOAD = 125;

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

  finish(): void {}
}

/** Encodes one whole message into its single part; throws for an invalid message. */
export function encodeMessage(message: OutgoingMessage): MessagePart {
  switch (message.type) {
    case 'text':
      return { kind: 'text', compressed: false, data: Buffer.from(message.data, 'utf8'), last: true };
    case 'binary':
      return { kind: 'binary', compressed: false, data: toBuffer(message.data), last: true };
    case 'ping':
    case 'pong':
      return checkPart({ kind: message.type, compressed: false, data: controlData(message.data), last: true });
    case 'close':
      return { kind: 'close', compressed: false, data: buildClosePayload(message.code, message.reason ?? ''), last: true };
    default:
      throw invalidMessage(`Unknown message type ${String((message as { type: unknown }).type)}`);
  }
}

/** Views the bytes of any binary value as a Buffer, sharing its memory. */
export function toBuffer(data: BinaryData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw invalidMessage('Binary data must be a Buffer, an ArrayBuffer or an ArrayBuffer view');
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
    super((sink) => new MessageEncoderCore(sink), { objectMode: true, batch: options.batch });
  }
}
