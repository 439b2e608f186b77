import { ROLE_SCHEMA } from '../limits.js';
import { keyAt, mask } from '../mask.js';
import { validateOptions } from '../../validation/schema.js';
import type { FramePart, Role } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';
import { sharedFrameSlab } from './frame-slab.js';
import { sharedMaskKeys } from './mask-key-pool.js';

export interface MaskerOptions {
  /** A client masks every frame (RFC 6455 §5.3); a server sends frames unmasked. */
  role: Role;
}

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
        header.maskKey = sharedMaskKeys.next();
      }
      const source = part.data;
      if (source.length !== 0) {
        const target = sharedFrameSlab.take(source.length);
        mask(source, keyAt(header.maskKey, part.offset), target, 0);
        part.data = target;
      }
    }
    this.next.accept(part);
  }
}

/** The masking stage as a Transform: {@link FramePart} objects in and out. */
export class Masker extends StageTransform<FramePart, FramePart> {
  constructor(options: MaskerOptions & StageStreamOptions) {
    super((sink) => new MaskerCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
