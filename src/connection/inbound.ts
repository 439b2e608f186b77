import type { Duplex } from 'node:stream';
import type { Chain } from './chains.js';

/** Reasons the socket is paused; it reads again only when none is left. */
export const HOLD_ASYNC_STAGE = 1;
export const HOLD_CONSUMER = 2;
export const HOLD_STREAM = 4;
/** A stream view of the connection (`stream()`, `duplex()`) whose reader is behind. */
export const HOLD_STREAM_VIEW = 8;

/** How a reader pauses its connection's socket: an Inbound hold of its own ({@link Inbound.holdFor}). */
export interface ReadHold {
  /** Functions, not methods: they may be handed on alone. */
  readonly hold: () => void;
  readonly release: () => void;
}

/** What the receiving side reports to its connection. */
export interface InboundHost {
  /**
   * What the chain threw: a WebSocketError from the peer's bytes, or a listener's error;
   * `thrown` when it came from this call stack rather than a later asynchronous stage's
   * callback.
   */
  inboundError(error: unknown, thrown: boolean): void;
}

/**
 * The receiving side of a connection: bytes from the socket into the decode chain, and
 * flow control. The socket is paused while any reason holds it — an asynchronous stage
 * (zlib) working, an iterating consumer behind, a streamed message's reader behind — so
 * a slow consumer slows the peer (TCP pushes back) instead of growing memory.
 */
export class Inbound {
  private holds = 0;
  /** Set after the peer's close frame or a failure: nothing more is processed. */
  stopped = false;

  constructor(
    private readonly socket: Duplex,
    private readonly chain: Chain<Buffer>,
    private readonly host: InboundHost,
  ) {}

  /** Feeds one chunk; while an asynchronous stage works, the socket waits. */
  accept(chunk: Buffer): void {
    if (this.stopped) return;
    try {
      this.chain.accept(chunk);
    } catch (error) {
      // Bytes after a close frame in the same chunk are not the peer's to answer for (RFC 6455 §5.5.1).
      if (!this.stopped) this.host.inboundError(error, true);
      return;
    }
    if (this.chain.async) {
      // Made on first use: a chain without an asynchronous stage never needs it.
      this.settlingNow = true;
      this.settledNow = false;
      this.chain.whenSettled((this.onSettled ??= (error) => this.settled(error)));
      this.settlingNow = false;
      // A stage that had nothing left to do (zlib idle, a rate limit with tokens) settles at
      // once: the socket need not pause and resume for it.
      if (!this.settledNow) this.hold(HOLD_ASYNC_STAGE);
    }
  }

  /** After the peer's close frame or a failure nothing more is processed (RFC 6455 §5.5.1, §7.1.7). */
  stop(): void {
    this.stopped = true;
  }

  hold(reason: number): void {
    if (this.holds === 0) this.socket.pause();
    this.holds |= reason;
  }

  release(reason: number): void {
    if ((this.holds & reason) === 0) return;
    this.holds &= ~reason;
    if (this.holds === 0 && !this.socket.destroyed) this.socket.resume();
  }

  /**
   * `hold` and `release` of one reason as functions that need no `this`, made once per
   * reader: a streamed message is handed them without a closure of its own.
   */
  holdFor(reason: number): ReadHold {
    return { hold: () => this.hold(reason), release: () => this.release(reason) };
  }

  /** Whether nothing holds the socket. */
  get flowing(): boolean {
    return this.holds === 0;
  }

  destroy(): void {
    this.chain.destroy();
  }

  private onSettled: ((error: Error | null) => void) | null = null;
  /** Inside `whenSettled`, and whether it called back before returning. */
  private settlingNow = false;
  private settledNow = false;

  private settled(error: Error | null): void {
    if (this.settlingNow) this.settledNow = true;
    if (error) this.host.inboundError(error, false);
    else this.release(HOLD_ASYNC_STAGE);
  }
}
