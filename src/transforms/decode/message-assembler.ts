import { EMPTY_BUFFER } from '../records.js';

/**
 * Collects the parts of one message into one contiguous buffer. A message that arrives
 * as one part is kept as that slice, uncopied; later parts are copied into a buffer that
 * grows by doubling up to `limit`, so fragments cost no memory beyond their bytes.
 */
export class MessageAssembler {
  private first: Buffer | null = null;
  private buffer: Buffer | null = null;
  private used = 0;

  constructor(private readonly limit: number) {}

  get length(): number {
    return this.used;
  }

  append(data: Buffer): void {
    if (this.used === 0 && this.buffer === null) {
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
    const next = Buffer.allocUnsafe(total);
    const current = this.buffer ?? this.first;
    if (current !== null) current.copy(next, 0, 0, this.used);
    this.buffer = next;
    this.first = null;
  }

  /** The assembled message; the assembler is empty afterwards. */
  take(): Buffer {
    const result = this.buffer === null ? (this.first ?? EMPTY_BUFFER) : this.buffer.subarray(0, this.used);
    this.first = null;
    this.buffer = null;
    this.used = 0;
    return result;
  }

  private grow(needed: number): void {
    const capacity = Math.min(Math.max(needed, this.used * 2, MIN_CAPACITY), Math.max(this.limit, needed));
    const next = Buffer.allocUnsafe(capacity);
    const current = this.buffer ?? this.first!;
    current.copy(next, 0, 0, this.used);
    this.buffer = next;
    this.first = null;
  }
}

/** Small fragments grow the buffer in 16 KiB steps at first rather than in dozens of tiny ones. */
const MIN_CAPACITY = 16 * 1024;
/**
 * Frames announcing at most this many bytes get their buffer at once, at the exact size
 * (one copy per piece instead of the copies of doubling). Kept small because a header is
 * only a claim: a peer must not make us reserve much memory by announcing a frame.
 */
const PREALLOCATE_LIMIT = 2 * 1024 * 1024;
