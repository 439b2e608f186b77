import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import { toError, WebSocketError } from '../errors.js';
import { boolean, checkValue, validateOptions } from '../validation/schema.js';

/** Where a stage delivers its output records. */
export interface RecordSink<T> {
  accept(record: T): void;
}

/**
 * The synchronous logic of one stage: records in, records out to its sink. It throws a
 * `WebSocketError` on a protocol violation; after that it must not be used again.
 */
export interface StageCore<In> extends RecordSink<In> {
  /** The input ended: throws if it ended in the middle of a frame or message. Stages that hold nothing leave it out. */
  finish?(): void;
  /**
   * Only for stages that work asynchronously (zlib): calls back once every record accepted
   * so far has been passed on, or with the error that stopped the stage. Callers stop
   * feeding the stage until then, which is how backpressure crosses an async stage.
   * Synchronous stages leave it out.
   */
  whenSettled?(callback: (error: Error | null) => void): void;
  /** Only for stages that hold resources (zlib engines, open message streams): release them. */
  destroy?(error?: Error): void;
}

/**
 * The `batch` option of a stage Transform's options, checked (the options must be an
 * object or left out): read before anything else in a stage's constructor.
 */
export function batchOf(options: StageStreamOptions | undefined): boolean | undefined {
  validateOptions(options, { batch: boolean });
  return options?.batch;
}

/** Options of every stage Transform. */
export interface StageStreamOptions {
  /**
   * Push the records produced from one input as one array (a batch) instead of one by
   * one. Every stage accepts batches as input, so a pipeline of stages can pass work in
   * batches: each object crossing a stream hop costs microseconds. Leave it off for a
   * stage whose output goes to code that expects single records.
   */
  batch?: boolean;
}

/**
 * The thin node:stream wrapper shared by every stage and by the fused chains: it feeds
 * each written record (or each record of a written batch) to the core and pushes what the
 * core emits. Errors from the core become stream errors; nothing throws out of a stream
 * callback.
 */
export class StageTransform<In, Out> extends Transform implements RecordSink<Out> {
  private readonly core: StageCore<In>;
  private readonly batching: boolean;
  private batch: Out[] = [];
  /** True while the core runs inside `_transform`: its output is batched until it returns. */
  private collecting = false;

  constructor(build: (sink: RecordSink<Out>) => StageCore<In>, options: TransformOptions & StageStreamOptions) {
    const { batch, ...streamOptions } = options;
    checkValue(boolean, batch ?? false, 'batch');
    super(streamOptions);
    this.batching = batch === true;
    this.core = build(this);
  }

  accept(record: Out): void {
    if (this.batching) {
      this.batch.push(record);
      if (!this.collecting) this.flushBatch();
    } else {
      this.push(record);
    }
  }

  override _transform(input: In | In[], _encoding: BufferEncoding, callback: TransformCallback): void {
    this.collecting = this.batching;
    try {
      if (Array.isArray(input)) {
        for (let i = 0; i < input.length; i++) this.core.accept(input[i]!);
      } else {
        this.core.accept(input);
      }
    } catch (error) {
      // What was decoded before the violation still goes out, ahead of the error.
      this.collecting = false;
      this.flushBatch();
      callback(toError(error));
      return;
    }
    if (this.collecting) {
      this.collecting = false;
      this.flushBatch();
    }
    if (this.core.whenSettled) this.core.whenSettled(callback);
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    const finish = (): void => {
      try {
        this.core.finish?.();
      } catch (error) {
        // "The input ended mid-frame" is the least specific verdict: when a stage further
        // down already failed on the same bytes, its error (emitted a tick or two later)
        // must be the one a pipeline reports, so this one waits a turn.
        if (error instanceof WebSocketError && error.code === 'WS_ERR_UNEXPECTED_EOF') setImmediate(callback, error);
        else callback(toError(error));
        return;
      }
      callback();
    };
    if (this.core.whenSettled) {
      this.core.whenSettled((error) => (error ? callback(error) : finish()));
    } else {
      finish();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.core.destroy?.(error ?? undefined);
    callback(error);
  }

  private flushBatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.push(batch);
  }
}

const NO_CORES: ReadonlyArray<StageCore<never>> = Object.freeze([]);

/**
 * Several cores chained directly, with no stream hop between them: the fused path.
 * `cores` lists every core in order, the head first.
 */
export class FusedCore<In> implements StageCore<In> {
  /** Whether a stage works asynchronously (zlib): feed more only after `whenSettled`. */
  readonly async: boolean;
  private readonly head: StageCore<In>;
  /** The asynchronous cores of the chain, in order; usually none. */
  private readonly asyncCores: ReadonlyArray<StageCore<never>>;

  constructor(private readonly cores: ReadonlyArray<StageCore<never>>) {
    this.head = cores[0] as unknown as StageCore<In>;
    const asyncCores = cores.filter((core) => core.whenSettled !== undefined);
    // Most chains have none: they share one empty list (a chain per connection and direction).
    this.asyncCores = asyncCores.length === 0 ? NO_CORES : asyncCores;
    this.async = asyncCores.length !== 0;
  }

  accept(record: In): void {
    this.head.accept(record);
  }

  finish(): void {
    for (const core of this.cores) core.finish?.();
  }

  /** Calls back once every stage passed on what it accepted: at once when all are synchronous. */
  whenSettled(callback: (error: Error | null) => void): void {
    this.settleFrom(0, callback);
  }

  destroy(error?: Error): void {
    for (const core of this.cores) core.destroy?.(error);
  }

  /** Settles the async cores one after another: an upstream one may feed a downstream one. */
  private settleFrom(index: number, callback: (error: Error | null) => void): void {
    const core = this.asyncCores[index];
    if (core === undefined) {
      callback(null);
      return;
    }
    core.whenSettled!((error) => (error ? callback(error) : this.settleFrom(index + 1, callback)));
  }
}
