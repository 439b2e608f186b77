import { Fifo } from './fifo.js';

/**
 * How many zlib jobs may run at once in the process by default. zlib work runs on libuv's
 * thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which `fs`, `dns` and
 * `crypto` share: about twice the pool keeps it busy while JS handles completions,
 * without thousands of compressing connections queueing work ahead of everything else.
 */
export const DEFAULT_ZLIB_CONCURRENCY = 8;

/** A job holds one slot until it calls `release` (exactly once; later calls are ignored). */
export type ZlibJob = (release: () => void) => void;

/**
 * A process-wide FIFO of zlib jobs with bounded concurrency. Each connection's stage has
 * at most one job here at a time, so its work stays in order; connections take turns
 * job by job. A job must not throw.
 */
export class ZlibLimiter {
  private limit: number;
  private readonly queue = new Fifo<ZlibJob>();
  private running = 0;
  private starting = false;

  constructor(concurrency: number = DEFAULT_ZLIB_CONCURRENCY) {
    this.limit = checkConcurrency(concurrency);
  }

  /** How many jobs may hold a slot at once. */
  get concurrency(): number {
    return this.limit;
  }

  /** Jobs holding a slot now. */
  get active(): number {
    return this.running;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Changes the bound; jobs already running keep their slots. */
  setConcurrency(concurrency: number): void {
    this.limit = checkConcurrency(concurrency);
    this.startWaiting();
  }

  run(job: ZlibJob): void {
    this.queue.push(job);
    this.startWaiting();
  }

  private startWaiting(): void {
    // A job that releases synchronously re-enters here; the loop below picks up its slot.
    if (this.starting) return;
    this.starting = true;
    try {
      while (this.running < this.limit && this.queue.size !== 0) {
        const job = this.queue.shift()!;
        this.running++;
        job(this.releaser());
      }
    } finally {
      this.starting = false;
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.startWaiting();
    };
  }
}

function checkConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`zlib concurrency must be an integer >= 1, got ${String(value)}`);
  return value;
}

/** The limiter every compression stage uses unless given its own. */
export const sharedZlibLimiter: ZlibLimiter = new ZlibLimiter();

/** Sets how many zlib jobs the process runs at once (default {@link DEFAULT_ZLIB_CONCURRENCY}). */
export function setZlibConcurrency(concurrency: number): void {
  sharedZlibLimiter.setConcurrency(concurrency);
}
