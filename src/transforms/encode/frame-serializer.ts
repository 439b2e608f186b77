import { keyAt, mask } from '../mask.js';
import type { FrameHeader, FramePart } from '../records.js';
import { StageTransform, type RecordSink, type StageCore } from '../stage.js';
import { sharedFrameSlab } from './frame-slab.js';
import { sharedMaskKeys } from './mask-key-pool.js';

/**
 * Frames up to this size leave as one buffer (header and payload copied together): one
 * chunk is cheaper than two below it. Above it the payload is passed on uncopied.
 */
export const MERGE_THRESHOLD = 16 * 1024;

export interface FrameSerializerOptions {
  /**
   * Mask every frame as it is written (the client role, RFC 6455 §5.3): a fresh key, and
   * header, key and masked payload written into the outgoing buffer in one pass — the one
   * copy masking needs, since the caller's buffer is never modified. Default false:
   * frames go out as they come (from a Masker, or unmasked from a server).
   */
  mask?: boolean;
}

/**
 * FramePart → bytes. Writes the header with the minimal length encoding (RFC 6455 §5.2),
 * then the payload. Whole small frames become a single Buffer; large unmasked payloads
 * are not copied. Frames given in pieces (a relayed frame) get their header before the first.
 */
export class FrameSerializerCore implements StageCore<FramePart> {
  private readonly masking: boolean;

  constructor(
    private readonly next: RecordSink<Buffer>,
    options: FrameSerializerOptions = {},
  ) {
    this.masking = options.mask === true;
  }

  accept(part: FramePart): void {
    if (this.masking) {
      this.acceptMasking(part);
      return;
    }
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

  /** The client's path, as `ws`'s `Sender.frame` does it: one buffer, one pass over the payload. */
  private acceptMasking(part: FramePart): void {
    const header = part.header;
    const data = part.data;
    if (part.offset === 0) {
      header.masked = true;
      header.maskKey = sharedMaskKeys.next();
      const headerLength = headerSizeOf(header);
      const frame = sharedFrameSlab.take(headerLength + data.length);
      writeHeader(header, frame);
      if (data.length !== 0) mask(data, header.maskKey, frame, headerLength);
      this.next.accept(frame);
      return;
    }
    // A later piece of a frame given in pieces: its bytes continue the key's phase.
    if (data.length === 0) return;
    const piece = sharedFrameSlab.take(data.length);
    mask(data, keyAt(header.maskKey, part.offset), piece, 0);
    this.next.accept(piece);
  }
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
  constructor(options: FrameSerializerOptions = {}) {
    super((sink) => new FrameSerializerCore(sink, options), { writableObjectMode: true });
  }
}
