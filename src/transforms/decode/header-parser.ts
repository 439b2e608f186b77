import { CloseCode } from '../../close-codes.js';
import { protocolError, tooBigError, WebSocketError } from '../../errors.js';
import { DECODER_LIMITS_SCHEMA, RESERVED_BITS_SCHEMA, resolveMaxPayload, type DecoderLimits, type ReservedBits } from '../limits.js';
import { oneOf, validateOptions } from '../../validation/schema.js';
import { EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, sliceOf, type FrameHeader, type FramePart, type Role } from '../records.js';
import { maskPolicyError } from './mask-policy.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

/** RFC 6455 §5.2: 2 fixed bytes, up to 8 of extended length, 4 of masking key. */
const MAX_HEADER_SIZE = 14;
/** Lengths are JS numbers: above 2^53 - 1 they lose precision, so refuse them (1009). */
const MAX_SAFE_HIGH_WORD = 0x1fffff;

export interface HeaderParserOptions extends ReservedBits, Pick<DecoderLimits, 'maxPayload'> {
  /** Enforce the role's mask rule at the header (RFC 6455 §5.1). Left out, the Unmasker does. */
  role?: Role;
}

const SCHEMA = { ...RESERVED_BITS_SCHEMA, maxPayload: DECODER_LIMITS_SCHEMA.maxPayload!, role: oneOf(['server', 'client']) };

/**
 * Bytes → FrameParts. Parses the 2–14 byte header incrementally across any chunk
 * boundary (only a split header is copied, into a 14-byte scratch buffer) and passes the
 * payload on as slices of the input chunks, so a frame of any size streams through.
 */
export class HeaderParserCore implements StageCore<Buffer> {
  private readonly rsvAllowed: number;
  /**
   * An uncompressed data frame whose announced length alone exceeds this is refused (1009)
   * as soon as its header arrives, as MessageDecoder would refuse its message later:
   * the same options give the same verdict whether the stages are fused or not.
   */
  private readonly maxPayload: number;
  private readonly role: Role | undefined;
  /** Made when a header is first split across chunks: many connections never see one. */
  private scratch: Buffer | null = null;
  /** Bytes of a split header held in `scratch`. */
  private scratchLength = 0;
  /** The frame whose payload is being read, or null while reading a header. */
  private header: FrameHeader | null = null;
  private payloadOffset = 0;

  constructor(
    options: HeaderParserOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, SCHEMA);
    this.rsvAllowed = (options.allowRsv1 ? 0x40 : 0) | (options.allowRsv2 ? 0x20 : 0) | (options.allowRsv3 ? 0x10 : 0);
    this.maxPayload = resolveMaxPayload(options);
    this.role = options.role;
  }

  accept(chunk: Buffer): void {
    const length = chunk.length;
    let position = 0;
    while (position < length) {
      const header = this.header;
      if (header !== null) {
        position = this.emitPayload(header, chunk, position);
      } else if (this.scratchLength === 0 && length - position >= 2) {
        const size = headerSize(chunk[position + 1]!);
        if (length - position >= size) {
          this.startFrame(chunk, position);
          position += size;
        } else {
          position = this.fillScratch(chunk, position);
        }
      } else {
        position = this.fillScratch(chunk, position);
      }
    }
  }

  finish(): void {
    if (this.header !== null || this.scratchLength !== 0) {
      throw new WebSocketError('WS_ERR_UNEXPECTED_EOF', CloseCode.ABNORMAL, 'The input ended in the middle of a frame');
    }
  }

  private emitPayload(header: FrameHeader, chunk: Buffer, position: number): number {
    const remaining = header.payloadLength - this.payloadOffset;
    const available = chunk.length - position;
    const last = available >= remaining;
    const size = last ? remaining : available;
    const offset = this.payloadOffset;
    if (last) {
      this.header = null;
      this.payloadOffset = 0;
    } else {
      this.payloadOffset = offset + size;
    }
    const data = position === 0 && size === chunk.length ? chunk : sliceOf(chunk, position, position + size);
    this.next.accept({ header, data, offset, last });
    return position + size;
  }

  /** Copies header bytes split across chunks into `scratch`; parses once complete. */
  private fillScratch(chunk: Buffer, position: number): number {
    const scratch = (this.scratch ??= Buffer.allocUnsafe(MAX_HEADER_SIZE));
    let have = this.scratchLength;
    let needed = have < 2 ? 2 : headerSize(scratch[1]!);
    while (have < needed && position < chunk.length) {
      scratch[have++] = chunk[position++]!;
      if (have === 2) needed = headerSize(scratch[1]!);
    }
    this.scratchLength = have;
    if (have === needed) {
      this.scratchLength = 0;
      this.startFrame(scratch, 0);
    }
    return position;
  }

  /** Validates and records the header at `buffer[position]`, which is complete. */
  private startFrame(buffer: Buffer, position: number): void {
    const b0 = buffer[position]!;
    const b1 = buffer[position + 1]!;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const rsv = b0 & 0x70;
    if (rsv & ~this.rsvAllowed) throw reservedBitError(rsv & ~this.rsvAllowed);
    // RFC 6455 §5.2: opcodes 3-7 and 0xB-0xF are reserved; receiving one fails the connection.
    if ((opcode > 0x2 && opcode < 0x8) || opcode > 0xa) {
      throw protocolError('WS_ERR_INVALID_OPCODE', `Invalid opcode ${opcode}`);
    }
    const masked = (b1 & 0x80) !== 0;
    let payloadLength = b1 & 0x7f;
    let cursor = position + 2;
    if (opcode >= 0x8) {
      // RFC 6455 §5.5: control frames MUST NOT be fragmented and carry at most 125 bytes.
      if (!fin) throw protocolError('WS_ERR_EXPECTED_FIN', 'Control frames must not be fragmented');
      if (payloadLength > MAX_CONTROL_PAYLOAD) {
        throw protocolError('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 'Control frame payload longer than 125 bytes');
      }
    } else if (payloadLength === 126) {
      payloadLength = buffer.readUInt16BE(cursor);
      cursor += 2;
      // RFC 6455 §5.2: the minimal number of bytes MUST be used to encode the length.
      if (payloadLength < 126) throw nonMinimalLengthError();
    } else if (payloadLength === 127) {
      const high = buffer.readUInt32BE(cursor);
      const low = buffer.readUInt32BE(cursor + 4);
      cursor += 8;
      // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0.
      if (high & 0x80000000) {
        throw protocolError('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 'The most significant bit of a 64-bit payload length must be 0');
      }
      if (high > MAX_SAFE_HIGH_WORD) {
        throw new WebSocketError('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', CloseCode.MESSAGE_TOO_BIG, 'Payload length above 2^53 - 1 is not supported');
      }
      payloadLength = high * 0x100000000 + low;
      if (payloadLength < 0x10000) throw nonMinimalLengthError();
    }
    // RFC 6455 §5.1, checked once the header is whole (the Unmasker does it when there is no role here).
    if (this.role !== undefined) {
      const error = maskPolicyError(masked, this.role);
      if (error) throw error;
    }
    // A compressed frame's inflated size is what counts (RFC 7692), so only plain frames are refused here.
    if (payloadLength > this.maxPayload && opcode < 0x8 && (b0 & 0x40) === 0) {
      throw tooBigError('WS_ERR_MESSAGE_TOO_BIG', `Frame of ${payloadLength} bytes is larger than maxPayload (${this.maxPayload} bytes)`);
    }
    const maskKey = masked ? buffer.readUInt32BE(cursor) : 0;
    const header: FrameHeader = {
      fin,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode,
      masked,
      maskKey,
      payloadLength,
    };
    if (payloadLength === 0) {
      this.next.accept({ header, data: EMPTY_BUFFER, offset: 0, last: true });
    } else {
      this.header = header;
    }
  }
}

/** Size of the header whose second byte is b1 (RFC 6455 §5.2). */
function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

function reservedBitError(bits: number): WebSocketError {
  // RFC 6455 §5.2: a reserved bit set without a negotiated extension fails the connection.
  if (bits & 0x40) return protocolError('WS_ERR_UNEXPECTED_RSV_1', 'RSV1 must be clear');
  if (bits & 0x20) return protocolError('WS_ERR_UNEXPECTED_RSV_2', 'RSV2 must be clear');
  return protocolError('WS_ERR_UNEXPECTED_RSV_3', 'RSV3 must be clear');
}

function nonMinimalLengthError(): WebSocketError {
  return protocolError('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 'Payload length not encoded in the minimal number of bytes');
}

/** The header-parsing stage as a Transform: bytes in, {@link FramePart} objects out. */
export class HeaderParser extends StageTransform<Buffer, FramePart> {
  constructor(options: HeaderParserOptions & StageStreamOptions = {}) {
    super((sink) => new HeaderParserCore(options, sink), { readableObjectMode: true, batch: batchOf(options) });
  }
}
