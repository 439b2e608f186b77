import { CloseCode } from '../../close-codes.js';
import { protocolError, tooBigError, toError, WebSocketError } from '../../errors.js';
import { EMPTY_BUFFER, messagePart, RSV1, type MessageKind, type MessagePart } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageStreamOptions } from '../stage.js';
import { join, withDeflateTail } from './deflate-tail.js';
import { EngineSlot } from './engine-slot.js';
import { resolveInflateOptions, type InflateOptions, type ResolvedInflateOptions } from './options.js';
import type { EngineListener } from './zlib-engine.js';
import { ZlibStageCore, type ZlibBatch } from './zlib-stage-core.js';

/**
 * A message's final compressed bytes up to this size are copied to join the tail: the copy
 * costs far less than the second thread-pool round trip that writing the tail alone would.
 */
const TAIL_COPY_LIMIT = 64 * 1024;

/**
 * MessagePart → MessagePart, between Defragmenter and MessageDecoder. Inflates compressed
 * messages (RFC 7692 §7.2.2: raw DEFLATE, the 4-byte tail appended at the message's end)
 * as their parts arrive, and passes on the output with `compressed: false`, holding back
 * only the latest piece so that a message that inflates to one piece leaves as one part.
 * The inflated size is checked as zlib produces it: past `maxPayload` the stage stops
 * zlib at once and fails with 1009, so a decompression bomb costs at most `maxPayload`
 * plus one zlib chunk. Uncompressed and control messages pass through, in order.
 *
 * zlib reads the input slices later, on the thread pool: the caller must not reuse the
 * chunks they came from until `whenSettled` reports (sockets never reuse theirs).
 */
export class InflateCore extends ZlibStageCore {
  private readonly options: ResolvedInflateOptions;
  private readonly engine: EngineSlot;
  private readonly listener: EngineListener = {
    onOutput: (chunk) => this.onOutput(chunk),
    onFailure: (error) => this.fail(inflateError(error)),
  };
  /** Input side: the data message being received, and whether it is compressed. */
  private inputKind: MessageKind | null = null;
  private inputCompressed = false;
  /** Output side: the message being inflated, its size so far, and its latest piece. */
  private outputKind: 'text' | 'binary' = 'binary';
  /** The output's reserved bits: the message's, without RSV1, which this stage processed. */
  private outputRsv = 0;
  private inflated = 0;
  private held: Buffer | null = null;

  constructor(options: InflateOptions, next: RecordSink<MessagePart>) {
    const resolved = resolveInflateOptions(options);
    super(next, resolved.limiter);
    this.options = resolved;
    const { windowBits, noContextTakeover, enginePool } = resolved;
    this.engine = new EngineSlot({ kind: 'inflate', windowBits }, this.listener, noContextTakeover ? enginePool : null);
  }

  accept(part: MessagePart): void {
    this.throwIfStopped();
    const kind = part.kind;
    if (kind !== 'text' && kind !== 'binary') {
      // RFC 7692 §6.1: control frames are never compressed (the Defragmenter checks this too).
      if (part.rsv & RSV1) this.reject(protocolError('WS_ERR_UNEXPECTED_RSV_1', 'RSV1 must be clear on control frames'));
      this.pass(part);
      return;
    }
    if (this.inputKind === null) {
      // RFC 7692 §6: RSV1 of the first frame marks the whole message.
      this.inputKind = kind;
      this.inputCompressed = (part.rsv & RSV1) !== 0;
    } else if (kind !== this.inputKind) {
      this.reject(protocolError('WS_ERR_EXPECTED_CONTINUATION', `A ${kind} part arrived inside a ${this.inputKind} message`));
    }
    if (part.last) this.inputKind = null;
    if (!this.inputCompressed) this.pass(part);
    else if (part.data.length !== 0 || part.last) this.toZlib(part);
  }

  finish(): void {
    this.throwIfStopped();
    if (!this.idle) throw new Error('Inflate: finish() was called before whenSettled() reported');
    if (this.inputKind !== null) {
      throw new WebSocketError('WS_ERR_UNEXPECTED_EOF', CloseCode.ABNORMAL, 'The input ended in the middle of a message');
    }
    this.engine.drop();
  }

  protected override forward(part: MessagePart): void {
    // Output of a message in progress leaves before a control message that came after it.
    const held = this.held;
    if (held !== null) {
      this.held = null;
      this.next.accept(messagePart(this.outputKind, this.outputRsv, held, false));
    }
    this.next.accept(part);
  }

  protected process(batch: ZlibBatch, done: () => void): void {
    this.outputKind = batch.kind;
    this.outputRsv = batch.rsv & ~RSV1;
    const inputs = batch.ends ? withDeflateTail(batch.pieces, batch.bytes, TAIL_COPY_LIMIT) : [join(batch.pieces, batch.bytes)];
    this.feed(inputs, 0, () => {
      if (batch.ends) this.endMessage();
      done();
    });
  }

  protected onStop(): void {
    this.held = null;
    this.engine.drop();
  }

  private feed(inputs: readonly Buffer[], index: number, then: () => void): void {
    const input = inputs[index];
    if (input === undefined) then();
    else this.write(input, false, () => this.feed(inputs, index + 1, then));
  }

  private write(input: Buffer, fresh: boolean, then: () => void): void {
    this.engine.get().write(input, (consumed) => {
      if (consumed >= input.length) {
        then();
        return;
      }
      // RFC 7692 §7.2.1 lets a sender set BFINAL on a block and go on with more blocks;
      // zlib's stream ends there, so the rest goes to a new engine. (A later back-reference
      // into the old window then fails as invalid data: 1007, never wrong output.)
      if (fresh && consumed === 0) {
        this.fail(invalidData('the stream ended without consuming input'));
        return;
      }
      this.engine.drop();
      this.write(input.subarray(consumed), true, then);
    });
  }

  private onOutput(chunk: Buffer): void {
    this.inflated += chunk.length;
    if (this.inflated > this.options.maxPayload) {
      this.fail(tooBigError('WS_ERR_MESSAGE_TOO_BIG', `Message larger than maxPayload (${this.options.maxPayload} bytes) once inflated`));
      return;
    }
    const held = this.held;
    this.held = chunk;
    if (held !== null) this.emit(held, false);
  }

  private endMessage(): void {
    const data = this.held ?? EMPTY_BUFFER;
    this.held = null;
    this.inflated = 0;
    // RFC 7692 §7.2.2: with no context takeover the peer starts each message afresh.
    this.engine.endMessage();
    this.emit(data, true);
  }

  /** Passes inflated data on; what the next stage throws (1009, 1007…) stops this one. */
  private emit(data: Buffer, last: boolean): void {
    try {
      this.next.accept(messagePart(this.outputKind, this.outputRsv, data, last));
    } catch (error) {
      this.fail(toError(error));
    }
  }
}

function invalidData(detail: string): WebSocketError {
  return new WebSocketError('WS_ERR_INVALID_COMPRESSED_DATA', CloseCode.INVALID_PAYLOAD, `Invalid compressed data: ${detail}`);
}

/** zlib's complaints about the input are the peer's fault (1007); anything else is ours. */
function inflateError(error: Error): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_MEM_ERROR') return new WebSocketError('WS_ERR_INVALID_COMPRESSED_DATA', CloseCode.INTERNAL_ERROR, `Inflating failed: ${error.message}`);
  if (typeof code === 'string' && code.startsWith('Z_')) return invalidData(error.message);
  return error;
}

/** The inflating stage as a Transform: {@link MessagePart} in, inflated {@link MessagePart} out. */
export class Inflate extends StageTransform<MessagePart, MessagePart> {
  constructor(options: InflateOptions & StageStreamOptions = {}) {
    super((sink) => new InflateCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
