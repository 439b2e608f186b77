import { protocolError } from '../../errors.js';
import { ROLE_SCHEMA } from '../limits.js';
import { unmask } from '../mask.js';
import { validateOptions } from '../../validation/schema.js';
import type { FramePart, Role } from '../records.js';
import { StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

export interface UnmaskerOptions {
  /** A server requires masked frames, a client refuses them (RFC 6455 §5.1). */
  role: Role;
}

/**
 * FramePart → FramePart. Enforces the mask policy of the role and unmasks payload slices
 * in place; `offset % 4` gives each slice its key phase, so frames split anywhere work.
 * The header keeps `masked` and `maskKey` as they were on the wire.
 */
export class UnmaskerCore implements StageCore<FramePart> {
  private readonly expectMasked: boolean;

  constructor(
    options: UnmaskerOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, ROLE_SCHEMA);
    this.expectMasked = options.role === 'server';
  }

  accept(part: FramePart): void {
    const header = part.header;
    if (part.offset === 0 && header.masked !== this.expectMasked) {
      // RFC 6455 §5.1: a server MUST close on an unmasked frame, a client on a masked one.
      throw this.expectMasked
        ? protocolError('WS_ERR_EXPECTED_MASK', 'Frames from a client must be masked')
        : protocolError('WS_ERR_UNEXPECTED_MASK', 'Frames from a server must not be masked');
    }
    if (header.masked) unmask(part.data, header.maskKey, part.offset);
    this.next.accept(part);
  }

  finish(): void {}
}

/** The unmasking stage as a Transform: {@link FramePart} objects in and out. */
export class Unmasker extends StageTransform<FramePart, FramePart> {
  constructor(options: UnmaskerOptions & StageStreamOptions) {
    super((sink) => new UnmaskerCore(options, sink), { objectMode: true, batch: options.batch });
  }
}
