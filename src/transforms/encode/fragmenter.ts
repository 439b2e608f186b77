import { invalidMessage } from '../invalid-message.js';
import { integer, validateOptions, type Schema } from '../../validation/schema.js';
import type { FrameWriter } from './frame-serializer.js';
import { Opcode, RSV1, RSV2, RSV3, sliceOf, type FrameHeader, type FramePart, type MessageKind, type MessagePart } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

export interface FragmenterOptions {
  /** Largest frame payload; larger data messages are split into continuation frames. Default: no limit. */
  fragmentSize?: number;
}

export const FRAGMENTER_SCHEMA: Schema = { fragmentSize: integer(1, Infinity) };

const OPCODE_BY_KIND: Readonly<Record<MessageKind, number>> = {
  text: Opcode.TEXT,
  binary: Opcode.BINARY,
  close: Opcode.CLOSE,
  ping: Opcode.PING,
  pong: Opcode.PONG,
};

/**
 * MessagePart → FramePart (whole frames). Splits data messages at `fragmentSize`, turns
 * the parts of a streamed message into continuation frames (RFC 6455 §5.4), sets the
 * reserved bits extensions marked a message with on its first frame only, and sends control
 * messages as single frames, also between the fragments of a data message.
 */
export class FragmenterCore implements StageCore<MessagePart> {
  private readonly fragmentSize: number;
  /** The next stage's shortcut for whole frames, when it has one (the FrameSerializer). */
  private readonly writer: FrameWriter | null;
  /** Kind of the data message whose parts are being sent, or null. */
  private open: MessageKind | null = null;

  constructor(
    options: FragmenterOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, FRAGMENTER_SCHEMA);
    this.fragmentSize = options.fragmentSize ?? Infinity;
    const writer = next as Partial<FrameWriter>;
    this.writer = typeof writer.writeFrame === 'function' ? (next as unknown as FrameWriter) : null;
  }

  accept(part: MessagePart): void {
    const kind = part.kind;
    if (kind !== 'text' && kind !== 'binary') {
      this.emit(true, 0, OPCODE_BY_KIND[kind], part.data);
      return;
    }
    const first = this.open === null;
    if (!first && this.open !== kind) throw invalidMessage(`A ${kind} message cannot start before the ${this.open} message in progress ends`);
    const data = part.data;
    // An empty part that does not end the message adds no frame; the end always does.
    if (data.length === 0 && !part.last) return;
    let opcode = first ? OPCODE_BY_KIND[kind] : Opcode.CONTINUATION;
    let rsv = first ? part.rsv : 0;
    const size = this.fragmentSize;
    let start = 0;
    while (data.length - start > size) {
      this.emit(false, rsv, opcode, sliceOf(data, start, start + size));
      start += size;
      opcode = Opcode.CONTINUATION;
      rsv = 0;
    }
    this.emit(part.last, rsv, opcode, start === 0 ? data : sliceOf(data, start, data.length));
    this.open = part.last ? null : kind;
  }

  /** One whole frame; extensions' reserved bits go on a message's first frame only (RFC 7692 §6). */
  private emit(fin: boolean, rsv: number, opcode: number, data: Buffer): void {
    if (this.writer !== null) {
      this.writer.writeFrame(fin, rsv, opcode, data);
      return;
    }
    const header: FrameHeader = {
      fin,
      rsv1: (rsv & RSV1) !== 0,
      rsv2: (rsv & RSV2) !== 0,
      rsv3: (rsv & RSV3) !== 0,
      opcode,
      masked: false,
      maskKey: 0,
      payloadLength: data.length,
    };
    this.next.accept({ header, data, offset: 0, last: true });
  }
}

/** The fragmenting stage as a Transform: {@link MessagePart} in, {@link FramePart} out. */
export class Fragmenter extends StageTransform<MessagePart, FramePart> {
  constructor(options: FragmenterOptions & StageStreamOptions = {}) {
    super((sink) => new FragmenterCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
