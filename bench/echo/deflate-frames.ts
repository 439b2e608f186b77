/**
 * The load generator's permessage-deflate wire code (RFC 7692), lean like frames.ts: the
 * client compresses nothing while it measures. Each message is compressed once, up front,
 * with node:zlib (raw DEFLATE, sync flush, the `00 00 ff ff` tail stripped), and sent as a
 * masked text frame with RSV1 set. The reader walks the server's frame headers and counts
 * whole messages without inflating them; the probe inflates a few to check them.
 */
import { constants, createDeflateRaw, createInflateRaw, deflateRawSync, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { maskedFrame } from './frames.js';

/**
 * Our offer when every frame is compressed once for all connections and messages: with
 * `client_no_context_takeover` each message is compressed from an empty window, so a
 * pre-compressed frame is valid whenever it is sent. The server keeps context takeover
 * for its own direction (it is not asked to give it up), as it would with a browser.
 */
export const OFFER_NO_CLIENT_CONTEXT = 'permessage-deflate; client_no_context_takeover; client_max_window_bits';
/** What browsers offer: context takeover both ways. */
export const OFFER_BROWSER = 'permessage-deflate; client_max_window_bits';

/** First byte of a final text frame whose message is compressed: FIN | RSV1 | opcode 1. */
const COMPRESSED_TEXT = 0xc1;
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * Deterministic JSON-like text of exactly `bytes` bytes: an array of records with the
 * same keys, ids, names, prices and tags, as an API or a chat would send; different
 * `seed`s give different records. It is valid JSON (padded with trailing spaces).
 */
export function jsonMessage(bytes: number, seed: number): Buffer {
  let state = (seed * 2654435761 + 1) >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 0x100000000;
  };
  const words = ['alpha', 'beta', 'gamma', 'delta', 'price', 'quantity', 'user', 'session', 'ok', 'pending', 'shipped', 'null'];
  const pick = (): string => words[Math.floor(random() * words.length)]!;
  let text = '[';
  for (;;) {
    const record =
      `${text.length > 1 ? ',' : ''}{"id":${Math.floor(random() * 1e6)},"user":"${pick()}_${Math.floor(random() * 1000)}",` +
      `"status":"${pick()}","price":${(random() * 1000).toFixed(2)},"qty":${Math.floor(random() * 50)},"tags":["${pick()}","${pick()}"]}`;
    if (text.length + record.length + 1 > bytes) break;
    text += record;
  }
  text += ']';
  if (text.length > bytes) throw new RangeError(`jsonMessage: ${bytes} bytes is too small for one record`);
  return Buffer.from(text.padEnd(bytes, ' '), 'latin1');
}

/** RFC 7692 §7.2.1: raw DEFLATE with a sync flush, the 4-byte tail removed. */
function stripTail(output: Buffer): Buffer {
  if (output.length < 4 || !output.subarray(output.length - 4).equals(TAIL)) throw new Error('deflateRaw output does not end with a sync flush');
  return output.subarray(0, output.length - 4);
}

/** One message compressed from an empty window (valid under client_no_context_takeover). */
export function compressAlone(payload: Buffer): Buffer {
  return stripTail(deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH }));
}

/**
 * Messages compressed in order by one compressor that keeps its window (context
 * takeover): valid only in this order on a fresh connection, which is how every
 * connection of the RSS benchmark sends them.
 */
export async function compressInSequence(payloads: Buffer[]): Promise<Buffer[]> {
  const deflate = createDeflateRaw();
  try {
    const out: Buffer[] = [];
    for (const payload of payloads) out.push(stripTail(await through(deflate, payload)));
    return out;
  } finally {
    deflate.close();
  }
}

/** The masked, compressed text frame (client → server) of `compressed`. */
export function compressedTextFrame(compressed: Buffer): Buffer {
  return maskedFrame(COMPRESSED_TEXT, compressed);
}

/** Runs `input` through a zlib stream and resolves with what a sync flush yields. */
function through(stream: DeflateRaw | InflateRaw, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => void chunks.push(chunk);
    const onError = (error: Error): void => {
      stream.off('data', onData);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(input);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * Inflates the messages of one server → client stream, in order, with one persistent
 * inflater (the server may keep context takeover, so each message can refer to the ones
 * before it).
 */
export class MessageInflater {
  private readonly stream = createInflateRaw();

  inflate(payload: Buffer): Promise<Buffer> {
    return through(this.stream, Buffer.concat([payload, TAIL]));
  }

  close(): void {
    this.stream.close();
  }
}

/** A whole message as the reader saw it (only when the reader keeps payloads). */
export interface ReceivedMessage {
  /** RSV1 of its first frame: whether the server compressed it. */
  compressed: boolean;
  /** Text (opcode 1) or binary (opcode 2). */
  text: boolean;
  payload: Buffer;
}

/**
 * Counts the messages in a server → client byte stream. It parses each frame header
 * (also one split across chunks), accepts data and continuation frames of any length
 * (compressed messages differ in size), and skips payloads unless `keep` asks for them.
 * `onMessages(n)` is called once per chunk with the messages that ended in it, so that
 * the caller can refill its window with one write.
 */
export class MessageCounter {
  /** Messages whose first frame had RSV1 set, and all messages. */
  compressed = 0;
  messages = 0;
  private readonly header = Buffer.allocUnsafe(14);
  private headerLength = 0;
  /** Payload bytes of the current frame still to read; -1 while reading a header. */
  private remaining = -1;
  private fin = false;
  /** Inside a fragmented message (its first frame had FIN clear). */
  private continuing = false;
  private kept: Buffer[] = [];
  private messageCompressed = false;
  private messageText = false;

  constructor(
    private readonly onMessages: (messages: number) => void,
    private readonly onError: (error: Error) => void,
    private readonly keep: ((message: ReceivedMessage) => void) | null = null,
  ) {}

  accept(chunk: Buffer): void {
    const length = chunk.length;
    let position = 0;
    let ended = 0;
    while (position < length) {
      if (this.remaining >= 0) {
        const take = Math.min(this.remaining, length - position);
        if (this.keep !== null && take > 0) this.kept.push(chunk.subarray(position, position + take));
        position += take;
        this.remaining -= take;
        if (this.remaining > 0) break;
        this.remaining = -1;
        if (this.fin && this.endMessage()) ended++;
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
      const opcode = b0 & 0x0f;
      let payload = b1 & 0x7f;
      if (payload === 126) payload = source.readUInt16BE(at + 2);
      else if (payload === 127) payload = source.readUInt32BE(at + 2) * 0x100000000 + source.readUInt32BE(at + 6);
      const first = opcode === 0x1 || opcode === 0x2;
      if ((b1 & 0x80) !== 0 || (first ? this.continuing : opcode !== 0x0 || !this.continuing)) {
        const codeAt = at + headerSize(b1);
        const code = opcode === 0x8 && payload >= 2 && codeAt + 2 <= source.length ? source.readUInt16BE(codeAt) : null;
        const what = opcode === 0x8 ? `a close frame${code === null ? '' : ` (code ${code})`}` : `opcode ${opcode}`;
        this.onError(new Error(`Expected an echoed data frame, got ${what}${(b1 & 0x80) !== 0 ? ', masked' : ''}`));
        return;
      }
      if (first) {
        this.messageCompressed = (b0 & 0x40) !== 0;
        this.messageText = opcode === 0x1;
      }
      this.fin = (b0 & 0x80) !== 0;
      this.continuing = !this.fin;
      this.remaining = payload;
      if (payload === 0) {
        this.remaining = -1;
        if (this.fin && this.endMessage()) ended++;
      }
    }
    if (ended !== 0) this.onMessages(ended);
  }

  private endMessage(): boolean {
    this.messages++;
    if (this.messageCompressed) this.compressed++;
    if (this.keep !== null) {
      const payload = Buffer.concat(this.kept);
      this.kept = [];
      this.keep({ compressed: this.messageCompressed, text: this.messageText, payload });
    }
    return true;
  }
}

function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}
