import { toError } from '../../errors.js';
import type { MessagePart } from '../records.js';
import type { RecordSink, StageCore } from '../stage.js';
import { Fifo } from './fifo.js';
import type { ZlibLimiter } from './zlib-limiter.js';

/**
 * Parts of one message that queued up while zlib was busy go to zlib in one job, joined
 * (copied) up to this many bytes: a message sent as thousands of tiny fragments then costs
 * a few thread-pool round trips instead of thousands, for a bounded copy.
 */
const MAX_BATCH_BYTES = 256 * 1024;

/** Consecutive parts of one data message, run through zlib in one job. */
export interface ZlibBatch {
  kind: 'text' | 'binary';
  /** The reserved bits of the message (other extensions' marks pass through). */
  rsv: number;
  pieces: Buffer[];
  bytes: number;
  /** Whether the batch ends the message. */
  ends: boolean;
}

interface Queued {
  part: MessagePart;
  /** Goes through zlib; otherwise passes on untouched once everything before it has. */
  viaZlib: boolean;
}

/**
 * What the Inflate and Deflate stages share: records leave in the order they arrived,
 * zlib work runs one job at a time through the process-wide {@link ZlibLimiter}, records
 * that need no zlib pass through synchronously while nothing is pending, `whenSettled`
 * reports when everything accepted has been passed on, and any error (zlib's, a limit's,
 * or one thrown downstream inside a zlib callback) stops the stage and is reported there.
 */
export abstract class ZlibStageCore implements StageCore<MessagePart> {
  private readonly queue = new Fifo<Queued>();
  /** A batch is waiting for, or holding, a limiter slot. */
  private working = false;
  private pumping = false;
  private release: (() => void) | null = null;
  private stoppedBy: Error | null = null;
  private waiters: Array<(error: Error | null) => void> = [];

  protected constructor(
    protected readonly next: RecordSink<MessagePart>,
    private readonly limiter: ZlibLimiter,
  ) {}

  abstract accept(part: MessagePart): void;
  abstract finish(): void;

  whenSettled(callback: (error: Error | null) => void): void {
    if (this.stoppedBy !== null) callback(this.stoppedBy);
    else if (this.idle) callback(null);
    else this.waiters.push(callback);
  }

  /**
   * Releases the zlib engine now, e.g. when the connection goes away. Work in progress is
   * dropped, pending `whenSettled` callbacks are never called, and `accept` throws after.
   */
  close(): void {
    this.waiters = [];
    if (this.stoppedBy === null) this.stop(new Error('The compression stage was closed'));
  }

  /** {@link close} under the name of `StageCore.destroy`, which chains and Transforms call. */
  destroy(): void {
    this.close();
  }

  /** Nothing is queued or running. */
  protected get idle(): boolean {
    return !this.working && this.queue.size === 0;
  }

  protected throwIfStopped(): void {
    if (this.stoppedBy !== null) throw this.stoppedBy;
  }

  /** Stops the stage with `error` and throws it to the caller of `accept`. */
  protected reject(error: Error): never {
    this.fail(error);
    throw error;
  }

  /** Passes `part` on untouched, after everything accepted before it. */
  protected pass(part: MessagePart): void {
    if (!this.idle) {
      this.queue.push({ part, viaZlib: false });
      return;
    }
    try {
      this.forward(part);
    } catch (error) {
      this.reject(toError(error));
    }
  }

  /** Queues the data of `part` for zlib. */
  protected toZlib(part: MessagePart): void {
    this.queue.push({ part, viaZlib: true });
    if (!this.working && !this.pumping) this.pump();
  }

  /** Hands a passing record downstream (the Inflate stage first releases output it holds). */
  protected forward(part: MessagePart): void {
    this.next.accept(part);
  }

  /**
   * Runs one batch while holding a limiter slot, and calls `done` once its output has been
   * passed on. Errors go to {@link fail}; after one, `done` need not be called.
   */
  protected abstract process(batch: ZlibBatch, done: () => void): void;

  /** Frees the engine and any output held: the stage stopped. */
  protected abstract onStop(): void;

  /** Stops the stage: frees zlib, drops queued work and reports `error` to the waiters. */
  protected fail(error: Error): void {
    if (this.stoppedBy !== null) return;
    this.stop(error);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(error);
  }

  private stop(error: Error): void {
    this.stoppedBy = error;
    this.onStop();
    this.queue.clear();
    this.working = false;
    const release = this.release;
    this.release = null;
    release?.();
  }

  private pump(): void {
    this.pumping = true;
    try {
      while (!this.working && this.stoppedBy === null && this.queue.size !== 0) {
        if (!this.queue.peek()!.viaZlib) {
          const part = this.queue.shift()!.part;
          try {
            this.forward(part);
          } catch (error) {
            this.fail(toError(error));
            return;
          }
          continue;
        }
        const batch = this.takeBatch();
        this.working = true;
        this.limiter.run((release) => this.start(batch, release));
      }
    } finally {
      this.pumping = false;
    }
    if (this.stoppedBy === null && this.idle) this.settle();
  }

  private start(batch: ZlibBatch, release: () => void): void {
    if (this.stoppedBy !== null) {
      release();
      return;
    }
    this.release = release;
    try {
      this.process(batch, () => this.batchDone());
    } catch (error) {
      this.fail(toError(error));
    }
  }

  private batchDone(): void {
    if (this.stoppedBy !== null) return;
    const release = this.release;
    this.release = null;
    this.working = false;
    // The slot goes to the next connection waiting; our next batch queues behind it.
    release?.();
    if (!this.pumping) this.pump();
  }

  /** The first queued part with the zlib parts of the same message queued right after it. */
  private takeBatch(): ZlibBatch {
    const first = this.queue.shift()!.part;
    const pieces = [first.data];
    let bytes = first.data.length;
    let ends = first.last;
    while (!ends) {
      const item = this.queue.peek();
      if (item === undefined || !item.viaZlib || bytes + item.part.data.length > MAX_BATCH_BYTES) break;
      this.queue.shift();
      pieces.push(item.part.data);
      bytes += item.part.data.length;
      ends = item.part.last;
    }
    return { kind: first.kind === 'text' ? 'text' : 'binary', rsv: first.rsv, pieces, bytes, ends };
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(null);
  }
}
