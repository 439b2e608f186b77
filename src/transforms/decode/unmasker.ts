import { ROLE_SCHEMA } from '../limits.js';
import { maskPolicyError } from './mask-policy.js';
import { unmask } from '../mask.js';
import { oneOf, validateOptions } from '../../validation/schema.js';

const OPTIONAL_ROLE = { role: oneOf(['server', 'client']) };
import type { FramePart, Role } from '../records.js';
import { StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';

export interface UnmaskerOptions {
  /**
   * A server requires masked frames, a client refuses them (RFC 6455 §5.1). The Transform
   * needs it; a core in a chain whose HeaderParser already enforces the rule leaves it out.
   */
  role?: Role;
}

/**
 * FramePart → FramePart. Enforces the mask policy of the role and unmasks payload slices
 * in place; `offset % 4` gives each slice its key phase, so frames split anywhere work.
 * The header keeps `masked` and `maskKey` as they were on the wire.
 */
export class UnmaskerCore implements StageCore<FramePart> {
  private readonly role: Role | undefined;

  constructor(
    options: UnmaskerOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, OPTIONAL_ROLE);
    this.role = options.role;
  }

  accept(part: FramePart): void {
    const header = part.header;
    if (part.offset === 0 && this.role !== undefined) {
      const error = maskPolicyError(header.masked, this.role);
      if (error) throw error;
    }
    if (header.masked) unmask(part.data, header.maskKey, part.offset);
    this.next.accept(part);
  }

}

/** The unmasking stage as a Transform: {@link FramePart} objects in and out. */
export class Unmasker extends StageTransform<FramePart, FramePart> {
  constructor(options: UnmaskerOptions & StageStreamOptions) {
    validateOptions(options, ROLE_SCHEMA);
    super((sink) => new UnmaskerCore(options, sink), { objectMode: true, batch: options.batch });
  }
}
