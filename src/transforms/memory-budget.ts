import { CloseCode } from '../close-codes.js';
import { WebSocketError } from '../errors.js';
import { checkValue, integer, withMethods } from '../validation/schema.js';

/**
 * Bytes that unfinished incoming messages may hold, shared by every connection of a server
 * by default: 512 MiB. Counting per connection is not enough (`ws`'s 2026 advisory: many
 * connections each holding a message's fragments exhaust the memory together); this bounds
 * the sum. Five messages of the default `maxPayload` (100 MiB) fit at once.
 */
export const DEFAULT_MAX_MESSAGE_MEMORY = 512 * 1024 * 1024;

/**
 * A budget of bytes shared by the message assemblers of many connections: each reserves
 * what it holds of a message that arrived in more than one piece (the slice it keeps, or
 * the buffer it grew) and gives it back when the message is complete or the connection
 * goes. A reservation that does not fit fails the connection with 1013 (try again later,
 * RFC 6455 §7.4.1 / IANA registry): the server is short of memory, not the message too
 * big for it (that is `maxPayload`'s 1009).
 */
export class MemoryBudget {
  private used = 0;

  constructor(readonly limit: number = DEFAULT_MAX_MESSAGE_MEMORY) {
    checkValue(integer(0, Infinity), limit, 'maxMessageMemory');
  }

  /** Bytes reserved now. */
  get reserved(): number {
    return this.used;
  }

  /** Whether `bytes` more would fit now. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.limit;
  }

  /** Reserves `bytes`, or throws the 1013 WebSocketError when they do not fit. */
  reserve(bytes: number): void {
    if (this.used + bytes > this.limit) {
      throw new WebSocketError(
        'WS_ERR_MESSAGE_MEMORY',
        CloseCode.TRY_AGAIN_LATER,
        `Unfinished messages already hold ${this.used} of the ${this.limit} bytes they may share (maxMessageMemory)`,
      );
    }
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }
}

/** The budget of connections that are given none (clients, connections made by hand). */
export const processMessageMemory = new MemoryBudget();

/** The check of an option that takes a budget. */
export const MEMORY_BUDGET_CHECK = withMethods('a MemoryBudget', 'reserve', 'release');
