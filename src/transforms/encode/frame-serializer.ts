import { keyAt, mask } from '../mask.js';
import { boolean, validateOptions } from '../../validation/schema.js';
import { frameHeaderSize, type FrameHeader, type FramePart } from '../records.js';
import { StageTransform, type RecordSink, type StageCore } from '../stage.js';
import { sharedFrameSlab } from './frame-slab.js';
import { sharedMaskKeys } from './mask-key-pool.js';

/**
 * Frames up to this size leave as one buffer (header and payload copied together): one
 * chunk is cheaper than two below it. Above it the payload is passed on uncopied.
 */
const MERGE_THRESHOLD = 16 * 1024;

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
 * The fused encode chain's shortcut from the Fragmenter: a whole frame as its fields, so
 * no FrameHeader or FramePart object is made for a frame that is written at once.
 */
export interface FrameWriter {
  writeFrame(fin: boolean, rsv: number, opcode: number, data: Buffer): void;
}

/**
 * FramePart → bytes. Writes the header with the minimal length encoding (RFC 6455 §5.2),
 * then the payload. Whole small frames become a single Buffer; large unmasked payloads
 * are not copied. Frames given in pieces (a relayed frame) get their header before the first.
 */
export class FrameSerializerCore implements StageCore<FramePart>, FrameWriter {
  private readonly masking: boolean;

  constructor(
    private readonly next: RecordSink<Buffer>,
    options: FrameSerializerOptions = {},
  ) {
    validateOptions(options, { mask: boolean });
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

  writeFrame(fin: boolean, rsv: number, opcode: number, data: Buffer): void {
    const length = data.length;
    const first = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
    if (this.masking) {
      // The client's path, as `ws`'s `Sender.frame` does it: one buffer, one pass over the payload.
      const maskKey = sharedMaskKeys.next();
      const headerLength = frameHeaderSize(length, true);
      const frame = sharedFrameSlab.take(headerLength + length);
      writeHeaderFields(frame, first, length, true, maskKey);
      if (length !== 0) mask(data, maskKey, frame, headerLength);
      this.next.accept(frame);
      return;
    }
    const headerLength = frameHeaderSize(length, false);
    if (length <= MERGE_THRESHOLD) {
      const frame = sharedFrameSlab.take(headerLength + length);
      writeHeaderFields(frame, first, length, false, 0);
      frame.set(data, headerLength);
      this.next.accept(frame);
      return;
    }
    const head = sharedFrameSlab.take(headerLength);
    writeHeaderFields(head, first, length, false, 0);
    this.next.accept(head);
    this.next.accept(data);
  }

  /** A FramePart in the client's path: masked as it is written. */
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
  return frameHeaderSize(header.payloadLength, header.masked);
}

/** Writes `header` at the start of `target`, which has room for it. */
function writeHeader(header: FrameHeader, target: Buffer): void {
  const first =
    (header.fin ? 0x80 : 0) | (header.rsv1 ? 0x40 : 0) | (header.rsv2 ? 0x20 : 0) | (header.rsv3 ? 0x10 : 0) | header.opcode;
  writeHeaderFields(target, first, header.payloadLength, header.masked, header.maskKey);
}

/** Writes a header from its first byte, the payload length (minimal encoding) and the mask key. */
function writeHeaderFields(target: Buffer, first: number, length: number, masked: boolean, maskKey: number): void {
  target[0] = first;
  const maskBit = masked ? 0x80 : 0;
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
  if (masked) target.writeUInt32BE(maskKey, position);
}

/** The serializing stage as a Transform: {@link FramePart} objects in, bytes out. */
export class FrameSerializer extends StageTransform<FramePart, Buffer> {
  constructor(options: FrameSerializerOptions = {}) {
    super((sink) => new FrameSerializerCore(sink, options), { writableObjectMode: true });
  }
}
