import { randomFillSync } from 'node:crypto';

/** Keys drawn per refill: one CSPRNG call serves 2,048 frames. */
const POOL_BYTES = 8192;

/**
 * Fresh masking keys from a cryptographically strong source (RFC 6455 §5.3: keys must be
 * unpredictable), pooled so that a frame costs a buffer read, not a system call.
 */
export class MaskKeyPool {
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private position = POOL_BYTES;

  next(): number {
    if (this.position === POOL_BYTES) {
      randomFillSync(this.pool);
      this.position = 0;
    }
    const key = this.pool.readUInt32BE(this.position);
    this.position += 4;
    return key;
  }
}

/** One pool per process: keys are unpredictable either way and the refill cost is shared. */
export const sharedMaskKeys = new MaskKeyPool();
