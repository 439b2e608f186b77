import type { FrameHeader, FramePart } from '../records.js';
import { sharedFrameSlab } from './frame-slab.js';
import { StageTransform, type RecordSink, type StageCore } from '../stage.js';

/**
 * Frames up to this size leave as one buffer (header and payload copied together): one
 * chunk is cheaper than two below it. Above it the payload is passed on uncopied.
 */
export const MERGE_THRESHOLD = 16 * 1024;

/**
 * FramePart → bytes. Writes the header with the minimal length encoding (RFC 6455 §5.2),
 * then the payload. Whole small frames become a single Buffer; large payloads are not
 * copied. Frames given in pieces (a relayed frame) get their header before the first.
 */
export class FrameSerializerCore implements StageCore<FramePart> {

  constructor(private readonly next: RecordSink<Buffer>) {}

  accept(part: FramePart): void {
    const data = part.data;
    if (part.offset !== 0) {
      if (data.length !== 0) this.next.accept(data);
      return;
    }
    const header = part.header;
    const headerLength = headerSizeOf(header);
    if (part.last && data.length <= MERGE_THRESHOLD) {
      const frame = sharedFrameSlab.take(headerLength + data.length);
      writeHeader(header, frame);
      frame.set(data, headerLength);
      this.next.accept(frame);
      return;
    }
    const head = sharedFrameSlab.take(headerLength);
    writeHeader(header, head);
    this.next.accept(head);
    if (data.length !== 0) this.next.accept(data);
  }

  finish(): void {}
}

function headerSizeOf(header: FrameHeader): number {
  const length = header.payloadLength;
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (header.masked ? 4 : 0);
}

/** Writes the header at the start of `target`, which has room for it; returns its size. */
export function writeHeader(header: FrameHeader, target: Buffer): number {
  const length = header.payloadLength;
  target[0] =
    (header.fin ? 0x80 : 0) | (header.rsv1 ? 0x40 : 0) | (header.rsv2 ? 0x20 : 0) | (header.rsv3 ? 0x10 : 0) | header.opcode;
  const maskBit = header.masked ? 0x80 : 0;
  let position: number;
  if (length < 126) {
    target[1] = maskBit | length;
    position = 2;
  } else if (length < 0x10000) {
    target[1] = maskBit | 126;
    target.writeUInt16BE(length, 2);
    position = 4;
  } else {
    target[1] = maskBit | 127;
    target.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    target.writeUInt32BE(length >>> 0, 6);
    position = 10;
  }
  if (header.masked) {
    target.writeUInt32BE(header.maskKey, position);
    position += 4;
  }
  return position;
}

/** The serializing stage as a Transform: {@link FramePart} objects in, bytes out. */
export class FrameSerializer extends StageTransform<FramePart, Buffer> {
  constructor() {
    super((sink) => new FrameSerializerCore(sink), { writableObjectMode: true });
  }
}
