/**
 * The server's default idle timeout: a peer that sends nothing for 2 minutes — no data,
 * no pong to the ping it was sent halfway — is closed (uWebSockets' default, too).
 */
export const DEFAULT_SERVER_IDLE_TIMEOUT_MS = 120_000;

/**
 * Received bytes that count as a sign of life even before a frame completes: a large frame
 * on a slow link keeps its connection, while a frame trickled a byte at a time (slowloris
 * after the handshake) does not, unless it completes.
 */
export const IDLE_PROGRESS_BYTES = 16 * 1024;

/** Ticks per timeout: a silent connection is closed between `timeout` and 9/8 of it. */
const TICKS = 8;

/** What an idle watch does to its connection. */
export interface IdleHost {
  /** Half the timeout passed in silence: ask the peer for a pong. */
  idlePing(): void;
  /** The whole timeout passed in silence. */
  idleExpired(): void;
}

/**
 * One connection's idle state. It holds no timer of its own: a {@link IdleSweeper} shared by
 * every connection with the same timeout ticks them all, so that an idle timeout costs a
 * connection two numbers and a set entry instead of a Timeout object, and receiving a
 * message costs two field writes instead of re-arming a timer.
 */
export class IdleWatch {
  /** Whole ticks since the last sign of life. */
  private ticks = 0;
  /** Bytes received since the last sign of life. */
  private bytes = 0;

  constructor(
    private readonly host: IdleHost,
    private readonly sweeper: IdleSweeper,
  ) {
    sweeper.add(this);
  }

  get timeout(): number {
    return this.sweeper.timeout;
  }

  /** A message or control frame arrived whole. */
  alive(): void {
    this.ticks = 0;
    this.bytes = 0;
  }

  /** Bytes arrived (a frame may still be incomplete). */
  received(bytes: number): void {
    if ((this.bytes += bytes) >= IDLE_PROGRESS_BYTES) this.alive();
  }

  stop(): void {
    this.sweeper.delete(this);
  }

  /** Called by the sweeper once per tick. */
  tick(): void {
    const ticks = ++this.ticks;
    // A tick may come right after the last sign of life: one more than the count makes
    // every delay at least its share of the timeout.
    if (ticks === TICKS / 2 + 1) this.host.idlePing();
    else if (ticks === TICKS + 1) {
      this.stop();
      this.host.idleExpired();
    }
  }
}

/** One interval timer ticking every watch of one timeout; it runs only while it has watches. */
export class IdleSweeper {
  private static readonly sweepers = new Map<number, IdleSweeper>();
  private readonly watches = new Set<IdleWatch>();
  private timer: NodeJS.Timeout | null = null;

  private constructor(readonly timeout: number) {}

  /** The process-wide sweeper of `timeout` ms. */
  static of(timeout: number): IdleSweeper {
    let sweeper = IdleSweeper.sweepers.get(timeout);
    if (sweeper === undefined) {
      sweeper = new IdleSweeper(timeout);
      IdleSweeper.sweepers.set(timeout, sweeper);
    }
    return sweeper;
  }

  add(watch: IdleWatch): void {
    this.watches.add(watch);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), Math.max(1, this.timeout / TICKS));
      // Idle connections must not keep the process alive by themselves.
      this.timer.unref();
    }
  }

  delete(watch: IdleWatch): void {
    if (!this.watches.delete(watch) || this.watches.size !== 0) return;
    clearInterval(this.timer!);
    this.timer = null;
    IdleSweeper.sweepers.delete(this.timeout);
  }

  private sweep(): void {
    for (const watch of this.watches) watch.tick();
  }
}
