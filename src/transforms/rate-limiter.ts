import { CloseCode } from '../close-codes.js';
import { toError, WebSocketError } from '../errors.js';
import { numberIn, object, oneOf, validateOptions, type Schema } from '../validation/schema.js';
import { frameHeaderSize, type FramePart } from './records.js';
import type { RecordSink, StageCore } from './stage.js';

/** A token bucket on what a peer sends (RFC 6455 gives no rate; this is the receiver's policy). */
export interface RateLimitOptions {
  /** Messages a second: data messages (counted at their last frame) and control frames, pings included. Default: no limit. */
  messagesPerSecond?: number;
  /** Wire bytes a second: frame headers and payloads. Default: no limit. */
  bytesPerSecond?: number;
  /** How many seconds of each rate the buckets hold, for bursts. Default 1. */
  burst?: number;
  /**
   * Past the rate: `'pause'` (default) stops reading until the buckets refill, so TCP pushes
   * back on the peer; `'close'` fails the connection with 1008 (policy violation).
   */
  onLimit?: 'pause' | 'close';
}

export const RATE_LIMIT_SCHEMA: Schema = {
  messagesPerSecond: numberIn(Number.MIN_VALUE, Infinity),
  bytesPerSecond: numberIn(Number.MIN_VALUE, Infinity),
  burst: numberIn(Number.MIN_VALUE, Infinity),
  onLimit: oneOf(['pause', 'close']),
};

export const RATE_LIMIT_OPTION = object(RATE_LIMIT_SCHEMA, 'rate limit options { messagesPerSecond, bytesPerSecond, burst, onLimit }');

/**
 * FramePart → FramePart, right after HeaderParser, where every frame is seen (an empty
 * fragment or a ping as much as a data frame). Each part takes its cost from two token
 * buckets that refill continuously; a part passes while neither bucket is in debt, and may
 * take one into debt (so a frame larger than a bucket still passes, and the average holds).
 * The buckets refill lazily, when one runs dry: a part costs a few arithmetic operations.
 *
 * In `'pause'` mode a part that finds a bucket in debt waits, with every part after it, and
 * `whenSettled` reports once they have passed: the connection keeps the socket paused until
 * then. What waits is at most the rest of one read of the socket. In `'close'` mode it throws
 * the 1008 error instead.
 */
export class RateLimiterCore implements StageCore<FramePart> {
  private readonly messageRate: number;
  private readonly byteRate: number;
  private readonly messageCapacity: number;
  private readonly byteCapacity: number;
  private readonly close: boolean;
  private messageTokens: number;
  private byteTokens: number;
  private refilledAt = performance.now();
  private waiting: FramePart[] = [];
  private timer: NodeJS.Timeout | null = null;
  private waiters: Array<(error: Error | null) => void> = [];
  private stoppedBy: Error | null = null;

  constructor(
    options: RateLimitOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, RATE_LIMIT_SCHEMA);
    const burst = options.burst ?? 1;
    this.messageRate = options.messagesPerSecond ?? Infinity;
    this.byteRate = options.bytesPerSecond ?? Infinity;
    this.messageCapacity = this.messageRate * burst;
    this.byteCapacity = this.byteRate * burst;
    this.messageTokens = this.messageCapacity;
    this.byteTokens = this.byteCapacity;
    this.close = options.onLimit === 'close';
  }

  accept(part: FramePart): void {
    if (this.stoppedBy !== null) throw this.stoppedBy;
    if (this.waiting.length !== 0) {
      this.waiting.push(part);
      return;
    }
    if (this.take(part)) {
      this.next.accept(part);
      return;
    }
    if (this.close) {
      throw new WebSocketError('WS_ERR_RATE_LIMITED', CloseCode.POLICY_VIOLATION, `Rate limit exceeded (${this.describe()})`);
    }
    this.waiting.push(part);
    this.schedule();
  }

  whenSettled(callback: (error: Error | null) => void): void {
    if (this.stoppedBy !== null) callback(this.stoppedBy);
    else if (this.waiting.length === 0) callback(null);
    else this.waiters.push(callback);
  }

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.waiting = [];
    this.waiters = [];
    this.stoppedBy ??= new Error('The rate limiter was destroyed');
  }

  /** Takes a part's cost if neither bucket is in debt (refilling them first when one is). */
  private take(part: FramePart): boolean {
    const header = part.header;
    let bytes = part.data.length;
    if (part.offset === 0) bytes += frameHeaderSize(header.payloadLength, header.masked);
    const messages = part.last && (header.fin || header.opcode >= 0x8) ? 1 : 0;
    if (this.messageTokens <= 0 || this.byteTokens <= 0) {
      this.refill();
      if (this.messageTokens <= 0 || this.byteTokens <= 0) return false;
    }
    this.messageTokens -= messages;
    this.byteTokens -= bytes;
    return true;
  }

  private refill(): void {
    const now = performance.now();
    const seconds = (now - this.refilledAt) / 1000;
    this.refilledAt = now;
    this.messageTokens = Math.min(this.messageCapacity, this.messageTokens + seconds * this.messageRate);
    this.byteTokens = Math.min(this.byteCapacity, this.byteTokens + seconds * this.byteRate);
  }

  /** Wakes up once both buckets are out of debt. */
  private schedule(): void {
    const seconds = Math.max(-this.messageTokens / this.messageRate, -this.byteTokens / this.byteRate, 0);
    this.timer = setTimeout(() => this.release(), Math.ceil(seconds * 1000) + 1);
  }

  /** Passes on the parts that waited, as far as the buckets allow; reports once all have. */
  private release(): void {
    this.timer = null;
    const waiting = this.waiting;
    let index = 0;
    try {
      while (index < waiting.length && this.take(waiting[index]!)) this.next.accept(waiting[index++]!);
    } catch (error) {
      // What a later stage throws (a protocol error in the frames that waited) ends the chain.
      this.stoppedBy = toError(error);
      this.waiting = [];
      for (const waiter of this.waiters.splice(0)) waiter(this.stoppedBy);
      return;
    }
    this.waiting = index === waiting.length ? [] : waiting.slice(index);
    if (this.waiting.length !== 0) {
      this.schedule();
      return;
    }
    for (const waiter of this.waiters.splice(0)) waiter(null);
  }

  private describe(): string {
    const limits = [];
    if (Number.isFinite(this.messageRate)) limits.push(`${this.messageRate} messages/s`);
    if (Number.isFinite(this.byteRate)) limits.push(`${this.byteRate} bytes/s`);
    return limits.join(', ');
  }
}
