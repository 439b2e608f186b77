import { pipeline, type Transform } from 'node:stream';
import { toError } from '../errors.js';
import type { RecordSink, StageCore } from '../transforms/stage.js';

/**
 * A chain of real Transforms (fused segments with user stages between them) presented
 * as a StageCore, so a connection drives it like the fused chain. Backpressure comes
 * from the first Transform's write result; errors from any stage arrive through
 * `onError`, once.
 */
export class StagePipeline<In, Out> implements StageCore<In> {
  private error: Error | null = null;
  private writable = true;
  private readonly head: Transform;

  constructor(
    stages: Transform[],
    sink: RecordSink<Out>,
    private readonly onError: (error: Error) => void,
  ) {
    this.head = stages[0]!;
    const tail = stages[stages.length - 1]!;
    tail.on('data', (record: Out) => sink.accept(record));
    if (stages.length > 1) {
      pipeline(stages as [Transform, ...Transform[]], (error) => {
        if (error) this.fail(toError(error));
      });
    } else {
      this.head.on('error', (error) => this.fail(error));
    }
  }

  accept(record: In): void {
    if (this.error) throw this.error;
    this.writable = this.head.write(record);
  }

  whenSettled(callback: (error: Error | null) => void): void {
    if (this.error || this.writable) {
      callback(this.error);
      return;
    }
    const done = (): void => {
      this.head.off('drain', done);
      this.head.off('close', done);
      this.writable = true;
      callback(this.error);
    };
    this.head.on('drain', done);
    this.head.on('close', done);
  }

  destroy(): void {
    this.head.destroy();
  }

  private fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    this.onError(error);
  }
}
