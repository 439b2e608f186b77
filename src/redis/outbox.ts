import { ErrorReply, type RedisArgument } from 'redis';
import { Fifo } from '../transforms/deflate/fifo.js';
import type { RedisConnection } from './connection.js';
import { REPLAY_WINDOW_MS } from './options.js';

/** One publication on its way to Redis: its XADD, and what it weighs. */
export interface Outgoing {
  readonly topic: string;
  readonly command: readonly RedisArgument[];
  readonly bytes: number;
  /** When Redis confirmed it (performance.now()), or -1. */
  confirmedAt: number;
}

export interface OutboxLimits {
  maxPending: number;
  maxPendingBytes: number;
}

export interface OutboxHost {
  /** Redis confirmed a publication to `topic`. */
  confirmed(topic: string): void;
  /** Redis refused one publication (an error reply): it is dropped. */
  refused(error: Error): void;
}

/**
 * The publications of this process on their way to Redis, in order. Each is an XADD; it
 * stays here until Redis confirms it. When the connection fails, everything unconfirmed is
 * sent again, in order, once Redis is back, and nothing new goes out before it: a
 * publication whose XADD was applied but whose reply was lost is then in the stream twice,
 * which readers recognize (origin and sequence number) and deliver once. When Redis came
 * back having lost its data (a restart without persistence: another run id), what it
 * confirmed in the last {@link REPLAY_WINDOW_MS} is sent again too, for the readers that
 * had not read it yet. Bounded: past `maxPending` publications or `maxPendingBytes`,
 * `push` throws.
 */
export class Outbox {
  private waiting = new Fifo<Outgoing>();
  private readonly retained = new Fifo<Outgoing>();
  /** waiting[0, sent) went out on the current connection. */
  private sent = 0;
  private bytes = 0;
  private retainedBytes = 0;
  /** Replies from an earlier connection (or an earlier attempt) are ignored. */
  private generation = 0;
  /** Nothing is sent until the connection is ready and what must go first went. */
  private paused = true;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly client: RedisConnection,
    private readonly limits: OutboxLimits,
    private readonly host: OutboxHost,
  ) {}

  /** Publications not confirmed by Redis yet. */
  get size(): number {
    return this.waiting.size;
  }

  /** Queues a publication and sends it if nothing waits before it; throws when the backlog is full. */
  push(outgoing: Outgoing): void {
    const { maxPending, maxPendingBytes } = this.limits;
    if (this.waiting.size >= maxPending || this.bytes + outgoing.bytes > maxPendingBytes) {
      throw backlogError(this.waiting.size, this.bytes, this.limits);
    }
    this.waiting.push(outgoing);
    this.bytes += outgoing.bytes;
    if (!this.paused && this.sent === this.waiting.size - 1) this.send(outgoing);
  }

  /** The connection failed: hold everything until `resume`. */
  pause(): void {
    this.paused = true;
    this.generation++;
    this.sent = 0;
  }

  /**
   * The connection is ready (again): send everything unconfirmed, in order; after Redis lost
   * its data, first what it confirmed within the replay window.
   */
  resume(redisLostData: boolean): void {
    this.generation++;
    this.sent = 0;
    if (redisLostData) this.requeueRetained();
    this.paused = false;
    for (let outgoing = this.waiting.at(0); outgoing !== undefined && !this.paused; outgoing = this.waiting.at(this.sent)) this.send(outgoing);
  }

  /** Resolves once nothing waits for Redis, or after `ms`. */
  idle(ms: number): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private send(outgoing: Outgoing): void {
    const generation = this.generation;
    this.sent++;
    this.client.sendCommand(outgoing.command).then(
      () => this.onConfirmed(generation, outgoing),
      (error: Error) => this.onFailed(generation, outgoing, error),
    );
  }

  private onConfirmed(generation: number, outgoing: Outgoing): void {
    if (generation !== this.generation || this.waiting.peek() !== outgoing) return;
    this.dequeue();
    const now = performance.now();
    outgoing.confirmedAt = now;
    this.retained.push(outgoing);
    this.retainedBytes += outgoing.bytes;
    // Kept for a restarted Redis: the last REPLAY_WINDOW_MS, within the same bounds as the backlog.
    const { maxPending, maxPendingBytes } = this.limits;
    while (this.retained.size > maxPending || this.retainedBytes > maxPendingBytes || now - this.retained.peek()!.confirmedAt > REPLAY_WINDOW_MS) {
      this.retainedBytes -= this.retained.shift()!.bytes;
      if (this.retained.size === 0) break;
    }
    this.host.confirmed(outgoing.topic);
    if (this.waiting.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private onFailed(generation: number, outgoing: Outgoing, error: Error): void {
    if (generation !== this.generation) return;
    if (error instanceof ErrorReply && this.waiting.peek() === outgoing) {
      // Redis answered, with an error: this one will never be stored; the rest go on.
      this.dequeue();
      this.host.refused(error);
      return;
    }
    // The connection failed: its 'ready' resumes. A client that still says ready gets one more try.
    this.pause();
    if (this.client.isReady) setTimeout(() => this.paused && this.client.isReady && this.resume(false), 50);
  }

  private dequeue(): void {
    const outgoing = this.waiting.shift()!;
    this.sent--;
    this.bytes -= outgoing.bytes;
  }

  private requeueRetained(): void {
    const all = new Fifo<Outgoing>();
    const cutoff = performance.now() - REPLAY_WINDOW_MS;
    this.retainedBytes = 0;
    for (let item = this.retained.shift(); item !== undefined; item = this.retained.shift()) {
      if (item.confirmedAt < cutoff) continue;
      item.confirmedAt = -1;
      all.push(item);
      this.bytes += item.bytes;
    }
    for (let item = this.waiting.shift(); item !== undefined; item = this.waiting.shift()) all.push(item);
    this.waiting = all;
  }
}

/** The broker cannot take another publication: Redis has been unreachable (or slow) for too long. */
function backlogError(count: number, bytes: number, limits: OutboxLimits): Error & { code: 'WS_ERR_BROKER_BACKLOG' } {
  const error = new Error(
    `Broker backlog full: ${count} publications (${bytes} bytes) wait for Redis (maxPending ${limits.maxPending}, maxPendingBytes ${limits.maxPendingBytes}); nothing was published`,
  ) as Error & { code: 'WS_ERR_BROKER_BACKLOG' };
  error.code = 'WS_ERR_BROKER_BACKLOG';
  return error;
}
