import { CloseCode } from '../../close-codes.js';
import { protocolError, tooBigError, WebSocketError } from '../../errors.js';
import { DECODER_LIMITS_SCHEMA, resolveMaxFragments, type DecoderLimits } from '../limits.js';
import { validateOptions } from '../../validation/schema.js';
import { messagePart, Opcode, RSV1, RSV2, RSV3, type FrameHeader, type FramePart, type MessageKind, type MessagePart } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

export type DefragmenterOptions = Pick<DecoderLimits, 'maxFragments'>;

/**
 * FramePart → MessagePart. Enforces the fragmentation rules of RFC 6455 §5.4 and lets
 * control frames through between the fragments of a message. Data parts pass on as the
 * same slices; a control frame split across chunks (≤ 125 bytes) is joined so that every
 * control message leaves as one part.
 */
export class DefragmenterCore implements StageCore<FramePart> {
  private readonly maxFragments: number;
  /** Kind of the data message in progress, or null between messages. */
  private kind: MessageKind | null = null;
  /** The reserved bits of the message's first frame. */
  private rsv = 0;
  private fragments = 0;
  /** A control frame arriving in pieces is collected here. */
  private control: Buffer | null = null;

  constructor(
    options: DefragmenterOptions,
    private readonly next: RecordSink<MessagePart>,
  ) {
    validateOptions(options, { maxFragments: DECODER_LIMITS_SCHEMA.maxFragments! });
    this.maxFragments = resolveMaxFragments(options);
  }

  accept(part: FramePart): void {
    const header = part.header;
    const opcode = header.opcode;
    if (opcode >= Opcode.CLOSE) {
      this.acceptControl(part);
      return;
    }
    if (part.offset === 0) this.startFrame(opcode, rsvOf(header));
    const kind = this.kind!;
    const end = part.last && header.fin;
    if (end) this.kind = null;
    // Empty pieces inside a message carry nothing; only the message's end must be seen.
    if (part.data.length !== 0 || end) {
      this.next.accept(
        part.offset === 0 && !part.last
          ? { kind, rsv: this.rsv, data: part.data, last: end, frameLength: header.payloadLength }
          : messagePart(kind, this.rsv, part.data, end),
      );
    }
  }

  finish(): void {
    if (this.kind !== null || this.control !== null) {
      throw new WebSocketError('WS_ERR_UNEXPECTED_EOF', CloseCode.ABNORMAL, 'The input ended in the middle of a message');
    }
  }

  private startFrame(opcode: number, rsv: number): void {
    if (opcode === Opcode.CONTINUATION) {
      // RFC 6455 §5.4: a continuation frame needs a message in progress.
      if (this.kind === null) throw protocolError('WS_ERR_UNEXPECTED_CONTINUATION', 'Continuation frame without a message in progress');
      // Extensions mark a message on its first frame only (RFC 7692 §6.1 for RSV1).
      if (rsv !== 0) throw reservedBitsError(rsv, 'continuation');
      if (++this.fragments > this.maxFragments) {
        throw tooBigError('WS_ERR_TOO_MANY_FRAGMENTS', `Message split into more than ${this.maxFragments} frames`);
      }
      return;
    }
    if (opcode !== Opcode.TEXT && opcode !== Opcode.BINARY) throw invalidOpcode(opcode);
    // RFC 6455 §5.4: fragments of one message must not interleave with another message.
    if (this.kind !== null) throw protocolError('WS_ERR_EXPECTED_CONTINUATION', 'New data frame while a fragmented message is in progress');
    this.kind = opcode === Opcode.TEXT ? 'text' : 'binary';
    this.rsv = rsv;
    this.fragments = 1;
  }

  private acceptControl(part: FramePart): void {
    const header = part.header;
    const kind = controlKind(header.opcode);
    // Extensions mark data messages only (RFC 7692 §6.1: control frames are never compressed).
    const rsv = rsvOf(header);
    if (rsv !== 0) throw reservedBitsError(rsv, 'control');
    let data = part.data;
    if (!(part.offset === 0 && part.last)) {
      if (part.offset === 0) this.control = Buffer.allocUnsafe(header.payloadLength);
      data.copy(this.control!, part.offset);
      if (!part.last) return;
      data = this.control!;
      this.control = null;
    }
    this.next.accept(messagePart(kind, 0, data, true));
  }
}

function rsvOf(header: FrameHeader): number {
  return (header.rsv1 ? RSV1 : 0) | (header.rsv2 ? RSV2 : 0) | (header.rsv3 ? RSV3 : 0);
}

function reservedBitsError(rsv: number, where: 'continuation' | 'control'): WebSocketError {
  const [code, bit] = rsv & RSV1 ? (['WS_ERR_UNEXPECTED_RSV_1', 'RSV1'] as const) : rsv & RSV2 ? (['WS_ERR_UNEXPECTED_RSV_2', 'RSV2'] as const) : (['WS_ERR_UNEXPECTED_RSV_3', 'RSV3'] as const);
  return protocolError(code, `${bit} must be clear on ${where} frames`);
}

function controlKind(opcode: number): MessageKind {
  if (opcode === Opcode.PING) return 'ping';
  if (opcode === Opcode.PONG) return 'pong';
  if (opcode === Opcode.CLOSE) return 'close';
  throw invalidOpcode(opcode);
}

/** HeaderParser refuses these already; checked again for records built by other stages. */
function invalidOpcode(opcode: number): WebSocketError {
  return protocolError('WS_ERR_INVALID_OPCODE', `Invalid opcode ${opcode}`);
}

/** The defragmenting stage as a Transform: {@link FramePart} in, {@link MessagePart} out. */
export class Defragmenter extends StageTransform<FramePart, MessagePart> {
  constructor(options: DefragmenterOptions & StageStreamOptions = {}) {
    super((sink) => new DefragmenterCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
