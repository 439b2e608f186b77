import type { Connection } from '../connection/connection.js';
import { socketFlushed } from './socket-flushed.js';

interface Waiter {
  /** Waits for the values up to this sequence number. */
  target: number;
  failed: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The pending `flushed()` promises of a subject, each waiting for the values sent before it. */
export class FlushWaiters {
  private waiters: Waiter[] = [];

  wait(target: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, failed: false, resolve, reject });
    });
  }

  /** A value was dropped: waiters that were waiting for it will reject. */
  dropped(seq: number): void {
    for (const waiter of this.waiters) if (seq <= waiter.target) waiter.failed = true;
  }

  /** Settles the waiters whose values have all left the buffer (`oldestWaiting` is the lowest still in it). */
  settle(oldestWaiting: number, connection: Connection | null): void {
    if (this.waiters.length === 0) return;
    const remaining: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (oldestWaiting <= waiter.target) remaining.push(waiter);
      else if (waiter.failed) waiter.reject(new Error('Some values were dropped before they could be sent (see dropped$)'));
      else socketFlushed(connection).then(waiter.resolve, waiter.reject);
    }
    this.waiters = remaining;
  }
}
