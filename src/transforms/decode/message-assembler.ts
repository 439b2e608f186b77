import type { MemoryBudget } from '../memory-budget.js';
import { EMPTY_BUFFER } from '../records.js';

/**
 * Collects the parts of one message into one contiguous buffer. A message that arrives
 * as one part is kept as that slice, uncopied; later parts are copied into a buffer that
 * grows by doubling up to `limit`, so fragments cost no memory beyond their bytes.
 * With a `budget`, what it holds (the slice's length, or the buffer's capacity) is
 * reserved there first: a reservation that does not fit throws its 1013 error.
 */
export class MessageAssembler {
  private first: Buffer | null = null;
  private buffer: Buffer | null = null;
  private used = 0;
  /** Bytes reserved in the budget for what this holds. */
  private held = 0;

  constructor(
    private readonly limit: number,
    private readonly budget: MemoryBudget | null = null,
  ) {}

  get length(): number {
    return this.used;
  }

  append(data: Buffer): void {
    if (this.used === 0 && this.buffer === null) {
      this.hold(data.length);
      this.first = data;
      this.used = data.length;
      return;
    }
    const needed = this.used + data.length;
    if (this.buffer === null || needed > this.buffer.length) this.grow(needed);
    this.buffer!.set(data, this.used);
    this.used = needed;
  }

  /** Makes room for `total` bytes in all, exactly, when it is at most PREALLOCATE_LIMIT. */
  reserve(total: number): void {
    if (total > PREALLOCATE_LIMIT || (this.buffer !== null && this.buffer.length >= total)) return;
    this.hold(total);
    const next = Buffer.allocUnsafe(total);
    const current = this.buffer ?? this.first;
    if (current !== null) current.copy(next, 0, 0, this.used);
    this.buffer = next;
    this.first = null;
  }

  /** The assembled message; the assembler is empty afterwards. */
  take(): Buffer {
    const result = this.buffer === null ? (this.first ?? EMPTY_BUFFER) : this.buffer.subarray(0, this.used);
    this.discard();
    return result;
  }

  /** Drops what it holds (the connection went away mid-message) and gives back its reservation. */
  discard(): void {
    this.first = null;
    this.buffer = null;
    this.used = 0;
    this.hold(0);
  }

  private grow(needed: number): void {
    let capacity = Math.min(Math.max(needed, this.used * 2, MIN_CAPACITY), Math.max(this.limit, needed));
    // Near the end of the budget, the exact size rather than the doubling's slack.
    if (this.budget !== null && !this.budget.fits(capacity - this.held)) capacity = needed;
    this.hold(capacity);
    const next = Buffer.allocUnsafe(capacity);
    const current = this.buffer ?? this.first!;
    current.copy(next, 0, 0, this.used);
    this.buffer = next;
    this.first = null;
  }

  /** Sets the reservation to `bytes` (reserving more first, or giving back). */
  private hold(bytes: number): void {
    const budget = this.budget;
    if (budget === null || bytes === this.held) return;
    if (bytes > this.held) {
      try {
        budget.reserve(bytes - this.held);
      } catch (error) {
        // The connection fails: what it held goes back now, for the connections that go on.
        this.discard();
        throw error;
      }
    } else {
      budget.release(this.held - bytes);
    }
    this.held = bytes;
  }
}

/** Small fragments grow the buffer in 16 KiB steps at first rather than in dozens of tiny ones. */
const MIN_CAPACITY = 16 * 1024;
/**
 * Frames announcing at most this many bytes get their buffer at once, at the exact size
 * (one copy per piece instead of the copies of doubling). Kept small because a header is
 * only a claim: a peer must not make us reserve much memory by announcing a frame.
 */
export const PREALLOCATE_LIMIT = 2 * 1024 * 1024;
