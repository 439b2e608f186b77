import type { DataMessage } from '../transforms/records.js';

/**
 * The queue behind `for await (const message of connection)`. It holds messages the
 * consumer has not taken yet and tells the connection when to pause and resume the
 * socket, so a slow consumer slows the peer instead of growing memory.
 */
export class MessageIterator implements AsyncIterableIterator<DataMessage> {
  private readonly queue: DataMessage[] = [];
  private waiting: { resolve: (result: IteratorResult<DataMessage>) => void; reject: (error: Error) => void } | null = null;
  private ended = false;
  private failure: Error | null = null;

  constructor(
    private readonly highWater: number,
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly detach: (iterator: MessageIterator) => void,
  ) {}

  push(message: DataMessage): void {
    if (this.ended) return;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.resolve({ value: message, done: false });
      return;
    }
    this.queue.push(message);
    if (this.queue.length === this.highWater) this.pause();
  }

  /** The connection closed: finish after the queued messages, with `error` if it failed. */
  end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiting && this.queue.length === 0) this.settleEnd(this.waiting);
  }

  next(): Promise<IteratorResult<DataMessage>> {
    const message = this.queue.shift();
    if (message !== undefined) {
      if (this.queue.length === this.highWater - 1) this.resume();
      return Promise.resolve({ value: message, done: false });
    }
    return new Promise((resolve, reject) => {
      if (this.ended) this.settleEnd({ resolve, reject });
      else this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<DataMessage>> {
    const wasPausing = this.queue.length >= this.highWater;
    this.ended = true;
    this.queue.length = 0;
    this.detach(this);
    if (wasPausing) this.resume();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settleEnd(waiting: { resolve: (result: IteratorResult<DataMessage>) => void; reject: (error: Error) => void }): void {
    this.waiting = null;
    this.detach(this);
    if (this.failure) waiting.reject(this.failure);
    else waiting.resolve({ value: undefined, done: true });
  }
}
