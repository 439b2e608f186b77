import { sliceOf } from '../records.js';

/** One slab serves many small frames: allocating per frame was the encoder's top cost. */
const SLAB_SIZE = 64 * 1024;
/** Frames larger than this get a buffer of their own, so one frame never pins a mostly empty slab. */
const MAX_SLAB_FRAME = SLAB_SIZE / 8;

/**
 * Hands out buffers for outgoing frames, carved from 64 KiB slabs. A slab lives as long
 * as any frame carved from it, which is until the socket has written them. One slab is
 * shared by every encoder in the process (like Node's own Buffer pool), so an idle
 * connection holds none.
 */
export class FrameSlab {
  private slab: Buffer | null = null;
  private used = SLAB_SIZE;

  take(size: number): Buffer {
    // Above Buffer's own pool size allocUnsafe allocates a fresh buffer too, and faster than allocUnsafeSlow.
    if (size > MAX_SLAB_FRAME) return Buffer.allocUnsafe(size);
    if (this.slab === null || this.used + size > SLAB_SIZE) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.used = 0;
    }
    const start = this.used;
    // Keep the next frame 8-byte aligned: word-wide kernels read aligned memory faster.
    this.used = (start + size + 7) & ~7;
    return sliceOf(this.slab, start, start + size);
  }
}

/** The process-wide slab that the encode stages share. */
export const sharedFrameSlab = new FrameSlab();
