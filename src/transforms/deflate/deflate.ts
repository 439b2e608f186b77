import { toError } from '../../errors.js';
import { invalidMessage } from '../invalid-message.js';
import { messagePart, RSV1, type MessageKind, type MessagePart } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageStreamOptions } from '../stage.js';
import { emptyBlockHeader, join, stripDeflateTail } from './deflate-tail.js';
import { EngineSlot } from './engine-slot.js';
import { resolveDeflateOptions, type DeflateOptions, type ResolvedDeflateOptions } from './options.js';
import type { EngineListener } from './zlib-engine.js';
import { ZlibStageCore, type ZlibBatch } from './zlib-stage-core.js';

/**
 * MessagePart → MessagePart, between MessageEncoder and Fragmenter. Compresses data
 * messages with raw DEFLATE (RFC 7692 §7.2.1) and marks every output part
 * `compressed: true` (the Fragmenter sets RSV1 on the first frame only, §6).
 *
 * Every zlib write ends with a sync flush, so each input part yields its compressed part
 * at once: a message given in parts is compressed as a stream, its non-final parts keep
 * the flush's `00 00 ff ff`, and the final one has it stripped. Control messages are never
 * compressed (§6); whole messages below `threshold` bytes and messages whose first part
 * says `compress: false` go out uncompressed, and `compress: true` compresses a message
 * whatever its size.
 *
 * zlib reads a part's bytes later, on the thread pool: the caller must not change them
 * until `whenSettled` reports, and should wait for it before feeding more, which bounds
 * what queues here (parts accepted meanwhile wait in order).
 */
export class DeflateCore extends ZlibStageCore {
  private readonly options: ResolvedDeflateOptions;
  private readonly engine: EngineSlot;
  private readonly listener: EngineListener = {
    onOutput: (chunk) => {
      this.output.push(chunk);
      this.outputBytes += chunk.length;
    },
    onFailure: (error) => this.fail(new Error(`permessage-deflate: compression failed: ${error.message}`, { cause: error })),
  };
  /** Input side: the data message in progress, and whether it is being compressed. */
  private open: MessageKind | null = null;
  private compressing = false;
  /** Output of the zlib write in progress. */
  private output: Buffer[] = [];
  private outputBytes = 0;

  constructor(options: DeflateOptions, next: RecordSink<MessagePart>) {
    const resolved = resolveDeflateOptions(options);
    super(next, resolved.limiter);
    this.options = resolved;
    const { windowBits, level, memLevel, noContextTakeover, enginePool } = resolved;
    this.engine = new EngineSlot({ kind: 'deflate', windowBits, level, memLevel }, this.listener, noContextTakeover ? enginePool : null);
  }

  accept(part: MessagePart): void {
    this.throwIfStopped();
    const kind = part.kind;
    // The caller's mistakes throw before any state changes; the stage stays usable.
    if (part.rsv & RSV1) throw invalidMessage(`A ${kind} part is already marked compressed (RSV1); the Deflate stage takes plain data`);
    if (kind !== 'text' && kind !== 'binary') {
      this.pass(part);
      return;
    }
    if (this.open === null) this.compressing = this.shouldCompress(part);
    else if (kind !== this.open) throw invalidMessage(`A ${kind} message cannot start before the ${this.open} message in progress ends`);
    this.open = part.last ? null : kind;
    if (!this.compressing) this.pass(part);
    // An empty part that does not end the message adds nothing.
    else if (part.data.length !== 0 || part.last) this.toZlib(part);
  }

  finish(): void {
    this.throwIfStopped();
    if (!this.idle) throw new Error('Deflate: finish() was called before whenSettled() reported');
    if (this.open !== null) throw invalidMessage(`The input ended in the middle of a ${this.open} message`);
    this.engine.drop();
  }

  protected process(batch: ZlibBatch, done: () => void): void {
    if (batch.bytes === 0) {
      // Only an empty final part: no zlib job needed (RFC 7692 §7.2.3.6, one 0x00 byte).
      // The message still ends: a pooled engine its earlier parts used goes back reset.
      this.engine.endMessage();
      this.emit(batch, emptyBlockHeader(), true);
      done();
      return;
    }
    this.engine.get().write(join(batch.pieces, batch.bytes), () => {
      const output = join(this.output, this.outputBytes);
      this.output = [];
      this.outputBytes = 0;
      if (batch.ends) {
        // Without context takeover the next message starts with an empty window (RFC 7692 §7.1.1).
        this.engine.endMessage();
        this.emit(batch, stripDeflateTail(output), true);
      } else if (output.length !== 0) {
        this.emit(batch, output, false);
      }
      done();
    });
  }

  protected onStop(): void {
    this.output = [];
    this.outputBytes = 0;
    this.engine.drop();
  }

  private shouldCompress(part: MessagePart): boolean {
    return compressesMessage(part, this.options.threshold);
  }

  /** Passes compressed data on; what the next stage throws stops this one. */
  private emit(batch: ZlibBatch, data: Buffer, last: boolean): void {
    try {
      this.next.accept(messagePart(batch.kind, batch.rsv | RSV1, data, last));
    } catch (error) {
      this.fail(toError(error));
    }
  }
}

/**
 * Whether a data message whose first part is `part` is compressed: as its `compress` hint
 * says, else unless it is whole (one part) and below `threshold` bytes.
 */
export function compressesMessage(part: MessagePart, threshold: number): boolean {
  return part.compress ?? !(part.last && part.data.length < threshold);
}

/** The compressing stage as a Transform: {@link MessagePart} in, compressed {@link MessagePart} out. */
export class Deflate extends StageTransform<MessagePart, MessagePart> {
  constructor(options: DeflateOptions & StageStreamOptions = {}) {
    super((sink) => new DeflateCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
