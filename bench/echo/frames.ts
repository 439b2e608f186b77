/**
 * The load generator's wire code, kept lean on purpose so that the client is never the
 * bottleneck: frames are built once (masked, as a client must send them) and written as
 * slices of one pre-built buffer; the reader only walks frame headers and skips payloads.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

/** The mask key of every frame the load generator sends (RFC 6455 §5.3 wants it unpredictable; a benchmark does not). */
const MASK_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** A masked binary frame (client → server) carrying `payload`. */
export function maskedBinaryFrame(payload: Buffer): Buffer {
  return maskedFrame(0x82, payload);
}

/** A masked frame (client → server): `firstByte` holds FIN, RSV1-3 and the opcode. */
export function maskedFrame(firstByte: number, payload: Buffer): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
  frame[0] = firstByte;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const keyAt = 2 + lengthBytes;
  MASK_KEY.copy(frame, keyAt);
  const payloadAt = keyAt + 4;
  for (let i = 0; i < length; i++) frame[payloadAt + i] = payload[i]! ^ MASK_KEY[i & 3]!;
  return frame;
}

/** A masked close frame with code 1000 (normal closure). */
export function maskedCloseFrame(): Buffer {
  const code = Buffer.from([0x03, 0xe8]);
  const frame = Buffer.from([0x88, 0x80 | 2, ...MASK_KEY, 0, 0]);
  for (let i = 0; i < 2; i++) frame[6 + i] = code[i]! ^ MASK_KEY[i]!;
  return frame;
}

/** Size of the unmasked frame (server → client) that echoes a payload of `length` bytes. */
export function echoedFrameSize(length: number): number {
  return length + (length < 126 ? 2 : length < 0x10000 ? 4 : 10);
}

/** `count` copies of `frame` back to back: the first k frames of it are one write. */
export function repeated(frame: Buffer, count: number): Buffer {
  const batch = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(batch, i * frame.length);
  return batch;
}

export function randomPayload(length: number): Buffer {
  return randomFillSync(Buffer.allocUnsafe(length));
}

/**
 * The opening handshake request, with a Sec-WebSocket-Extensions offer when `extensions`
 * is given; the response is checked for its status line (and the extension, by the caller).
 */
export function upgradeRequest(host: string, port: number, extensions?: string): string {
  return (
    `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
    (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') +
    '\r\n'
  );
}

/**
 * Counts the frames in a server → client byte stream. It parses each header (also one
 * split across chunks), checks that it is the expected binary echo, and skips the payload
 * without looking at it. `onFrames(n)` is called once per chunk with the frames that
 * ended in it, so that the caller can refill its window with one write.
 */
export class FrameCounter {
  private readonly header = Buffer.allocUnsafe(14);
  private headerLength = 0;
  /** Payload bytes of the current frame still to skip; -1 while reading a header. */
  private skip = -1;

  constructor(
    private readonly expectedLength: number,
    private readonly onFrames: (frames: number) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  accept(chunk: Buffer): void {
    const length = chunk.length;
    let position = 0;
    let frames = 0;
    while (position < length) {
      if (this.skip > 0) {
        const available = length - position;
        if (available < this.skip) {
          this.skip -= available;
          break;
        }
        position += this.skip;
        this.skip = -1;
        frames++;
        continue;
      }
      // A header: parse it in place when whole, else gather it in `header`.
      let source = chunk;
      let at = position;
      if (this.headerLength === 0 && length - position >= 2 && length - position >= headerSize(chunk[position + 1]!)) {
        position += headerSize(chunk[position + 1]!);
      } else {
        const scratch = this.header;
        let have = this.headerLength;
        while (position < length && (have < 2 || have < headerSize(scratch[1]!))) scratch[have++] = chunk[position++]!;
        if (have < 2 || have < headerSize(scratch[1]!)) {
          this.headerLength = have;
          break;
        }
        this.headerLength = 0;
        source = scratch;
        at = 0;
      }
      const b0 = source[at]!;
      const b1 = source[at + 1]!;
      let payload = b1 & 0x7f;
      if (payload === 126) payload = source.readUInt16BE(at + 2);
      else if (payload === 127) payload = source.readUInt32BE(at + 2) * 0x100000000 + source.readUInt32BE(at + 6);
      if (b0 !== 0x82 || payload !== this.expectedLength) {
        const what = (b0 & 0x0f) === 0x8 ? 'a close frame' : `opcode ${b0 & 0x0f}, fin ${b0 >> 7}, ${payload} bytes`;
        this.onError(new Error(`Expected an echoed binary frame of ${this.expectedLength} bytes, got ${what}`));
        return;
      }
      if (payload === 0) frames++;
      else this.skip = payload;
    }
    if (frames !== 0) this.onFrames(frames);
  }
}

function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}
