import type { WireData } from './wire.js';

/**
 * What happens to a value sent while the outbound buffer is full:
 * - `'error'`: the value is dropped and the subject errors with a BufferOverflowError
 *   (the connection closes with 1011); with no subscriber yet, `next()` throws it.
 * - `'drop-newest'`: the new value is dropped.
 * - `'drop-oldest'`: the oldest waiting values are dropped to make room.
 * - `'close'`: everything waiting is dropped and the current connection is closed with
 *   1011 (or its attempt abandoned), as a browser does; `reconnect` then applies.
 * Dropped values are never silent: they appear on the subject's `dropped$`.
 */
export type OverflowPolicy = 'error' | 'drop-newest' | 'drop-oldest' | 'close';

export interface BufferOptions {
  /** Most values waiting to be sent. Default 1024. */
  limit?: number;
  /** Most payload bytes waiting to be sent. Default 16 MiB. */
  bytes?: number;
  /** Default 'error'. */
  overflow?: OverflowPolicy;
}

export const DEFAULT_BUFFER_LIMIT = 1024;
export const DEFAULT_BUFFER_BYTES = 16 * 1024 * 1024;

export class BufferOverflowError extends Error {
  /** The close code used when this error closes a connection. */
  readonly closeCode = 1011;

  constructor(limit: number, bytes: number) {
    super(`Outbound buffer full (at most ${limit} values, ${bytes} bytes)`);
    this.name = 'BufferOverflowError';
  }
}

/** One value waiting: the caller's value (for dropped$), its wire form and size, and its sequence number. */
export interface Pending<Out> {
  value: Out;
  wire: WireData;
  size: number;
  seq: number;
}

export interface Offered<Out> {
  /** Values that the policy dropped (the new one, or old ones). */
  dropped: Array<Pending<Out>>;
  /** The buffer was full and the policy is 'error' or 'close': the caller acts. */
  overflow: boolean;
}

/**
 * The values that `next()` received while they could not go to a connection (none open
 * yet, reconnecting, or the socket asked to wait), bounded by count and bytes.
 */
export class OutboundBuffer<Out> {
  readonly limit: number;
  readonly maxBytes: number;
  readonly policy: OverflowPolicy;
  private readonly items: Array<Pending<Out>> = [];
  private bytes = 0;

  constructor(options: BufferOptions = {}) {
    this.limit = options.limit ?? DEFAULT_BUFFER_LIMIT;
    this.maxBytes = options.bytes ?? DEFAULT_BUFFER_BYTES;
    this.policy = options.overflow ?? 'error';
  }

  get length(): number {
    return this.items.length;
  }

  get size(): number {
    return this.bytes;
  }

  /** The lowest sequence number still waiting (Infinity when empty). */
  get oldestSeq(): number {
    return this.items[0]?.seq ?? Infinity;
  }

  offer(item: Pending<Out>): Offered<Out> {
    if (this.fits(item.size)) {
      this.add(item);
      return { dropped: [], overflow: false };
    }
    switch (this.policy) {
      case 'drop-newest':
        return { dropped: [item], overflow: false };
      case 'drop-oldest': {
        const dropped: Array<Pending<Out>> = [];
        while (this.items.length > 0 && !this.fits(item.size)) dropped.push(this.shift()!);
        if (this.fits(item.size)) this.add(item);
        else dropped.push(item); // bigger than the whole buffer
        return { dropped, overflow: false };
      }
      default:
        return { dropped: [item], overflow: true };
    }
  }

  shift(): Pending<Out> | undefined {
    const item = this.items.shift();
    if (item) this.bytes -= item.size;
    return item;
  }

  clear(): Array<Pending<Out>> {
    const all = this.items.splice(0);
    this.bytes = 0;
    return all;
  }

  private fits(size: number): boolean {
    return this.items.length < this.limit && this.bytes + size <= this.maxBytes;
  }

  private add(item: Pending<Out>): void {
    this.items.push(item);
    this.bytes += item.size;
  }
}
