import { ROLE_SCHEMA } from '../limits.js';
import { keyAt, mask, unmask } from '../mask.js';
import { MEMORY_BUDGET_CHECK, type MemoryBudget } from '../memory-budget.js';
import { Opcode, type FrameHeader, type FramePart, type Role } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';
import { integer, oneOf, validateOptions } from '../../validation/schema.js';
import { maskPolicyError } from './mask-policy.js';

export interface UnmaskerOptions {
  /**
   * A server requires masked frames, a client refuses them (RFC 6455 §5.1). The Transform
   * needs it; a core in a chain whose HeaderParser already enforces the rule leaves it out.
   */
  role?: Role;
  /**
   * Unmask a binary message sent as one plain frame (no reserved bits) of at most this
   * many bytes that arrives in pieces straight into one buffer of its own, and pass it on
   * whole: the place its bytes would be copied to anyway by a MessageDecoder assembling
   * them, so unmasking and assembling take one pass instead of two. Only such frames: the
   * checks that the Defragmenter and MessageDecoder make on a frame's first piece can
   * never fail on them, so no verdict is delayed. The fused decode chain sets it to
   * `maxPayload`, at most the 2 MiB a MessageDecoder allocates on a header's claim alone
   * (a peer must not make us allocate much by announcing a frame); 0 (the default) passes
   * every piece on as it comes, which lets a frame of any size stream through. Text
   * frames always pass in pieces, so invalid UTF-8 fails in the piece where it arrives
   * (RFC 6455 §8.1 fail-fast).
   */
  assembleFramesUpTo?: number;
  /**
   * Where the buffer of a frame being assembled is reserved, as the MessageDecoder it
   * stands in for would reserve it (failing with 1013 when it does not fit).
   */
  messageMemory?: MemoryBudget | undefined;
}

export const UNMASKER_SCHEMA = {
  role: oneOf(['server', 'client']),
  assembleFramesUpTo: integer(0, Infinity),
  messageMemory: MEMORY_BUDGET_CHECK,
};

/**
 * FramePart → FramePart. Enforces the mask policy of the role and unmasks payload slices
 * in place; `offset % 4` gives each slice its key phase, so frames split anywhere work.
 * The header keeps `masked` and `maskKey` as they were on the wire.
 */
export class UnmaskerCore implements StageCore<FramePart> {
  private readonly role: Role | undefined;
  private readonly assembleUpTo: number;
  private readonly memory: MemoryBudget | null;
  /** The frame being unmasked into a buffer of its own, and that buffer. */
  private assembling: FrameHeader | null = null;
  private frame: Buffer | null = null;
  /** A fragmented data message is in progress (its frames are not assembled here). */
  private inMessage = false;

  constructor(
    options: UnmaskerOptions,
    private readonly next: RecordSink<FramePart>,
  ) {
    validateOptions(options, UNMASKER_SCHEMA);
    this.role = options.role;
    this.assembleUpTo = options.assembleFramesUpTo ?? 0;
    this.memory = options.messageMemory ?? null;
  }

  accept(part: FramePart): void {
    const header = part.header;
    if (part.offset === 0) {
      if (this.role !== undefined) {
        const error = maskPolicyError(header.masked, this.role);
        if (error) throw error;
      }
      if (!part.last && header.masked && this.shouldAssemble(header)) {
        this.memory?.reserve(header.payloadLength);
        this.assembling = header;
        this.frame = Buffer.allocUnsafe(header.payloadLength);
      }
    }
    // Track fragmented messages: a data frame without FIN opens one, one with FIN ends it.
    if (part.last && header.opcode < Opcode.CLOSE) this.inMessage = !header.fin;
    if (this.assembling === header) {
      mask(part.data, keyAt(header.maskKey, part.offset), this.frame!, part.offset);
      if (!part.last) return;
      const data = this.frame!;
      this.release();
      this.next.accept({ header, data, offset: 0, last: true });
      return;
    }
    if (header.masked) unmask(part.data, header.maskKey, part.offset);
    this.next.accept(part);
  }

  finish(): void {
    // An unfinished frame is the HeaderParser's to report; release its buffer.
    this.release();
  }

  /** Gives back what a frame in progress holds of the memory budget. */
  destroy(): void {
    this.release();
  }

  private release(): void {
    if (this.frame !== null) this.memory?.release(this.frame.length);
    this.assembling = null;
    this.frame = null;
  }

  /** Plain binary frames within the bound: their size is what a MessageDecoder would assemble anyway. */
  private shouldAssemble(header: FrameHeader): boolean {
    return (
      header.payloadLength <= this.assembleUpTo &&
      header.opcode === Opcode.BINARY &&
      header.fin &&
      !this.inMessage &&
      !header.rsv1 &&
      !header.rsv2 &&
      !header.rsv3
    );
  }
}

/** The unmasking stage as a Transform: {@link FramePart} objects in and out. */
export class Unmasker extends StageTransform<FramePart, FramePart> {
  constructor(options: UnmaskerOptions & StageStreamOptions) {
    validateOptions(options, ROLE_SCHEMA);
    super((sink) => new UnmaskerCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
