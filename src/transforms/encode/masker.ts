import { ROLE_SCHEMA } from '../limits.js';
import { mask } from '../mask.js';
import { validateOptions } from '../../validation/schema.js';
import type { FramePart, Role } from '../records.js';
import { StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';
import { sharedFrameSlab } from './frame-slab.js';
import { MaskKeyPool } from './mask-key-pool.js';

export interface MaskerOptions {
  /** A client masks every frame (RFC 6455 §5.3); a server sends frames unmasked. */
  role: Role;
}

/** One pool per process: keys are unpredictable either way and the refill cost is shared. */
const sharedKeys = new MaskKeyPool();

/**
 * FramePart → FramePart (whole frames). In the client role it gives every frame a fresh
 * key and masks into a new buffer, so the caller's buffer is never modified. In the
 * server role frames pass through untouched.
 */
export class MaskerCore implements StageCore<FramePart> {
  private readonly enabled: boolean;

  constructor(
    options: MaskerOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, ROLE_SCHEMA);
    this.enabled = options.role === 'client';
  }

  accept(part: FramePart): void {
    if (this.enabled) {
      const header = part.header;
      // A frame may come in pieces (a relayed frame): its first piece picks the key.
      if (part.offset === 0) {
        header.masked = true;
        header.maskKey = sharedKeys.next();
      }
      const source = part.data;
      if (source.length !== 0) {
        const target = sharedFrameSlab.take(source.length);
        mask(source, keyAtPhase(header.maskKey, part.offset), target, 0);
        part.data = target;
      }
    }
    this.next.accept(part);
  }

  finish(): void {}
}

/** The key rotated so that its first byte is the one that applies at payload `offset`. */
function keyAtPhase(key: number, offset: number): number {
  const shift = (offset & 3) * 8;
  return shift === 0 ? key : ((key << shift) | (key >>> (32 - shift))) >>> 0;
}

/** The masking stage as a Transform: {@link FramePart} objects in and out. */
export class Masker extends StageTransform<FramePart, FramePart> {
  constructor(options: MaskerOptions & StageStreamOptions) {
    super((sink) => new MaskerCore(options, sink), { objectMode: true, batch: options.batch });
  }
}
