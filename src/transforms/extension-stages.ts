import { func, integer, object, required, string } from '../validation/schema.js';
import type { MessagePart, Role } from './records.js';
import type { RecordSink, StageCore } from './stage.js';

/** What an extension's stages know of the connection they run in. */
export interface StageContext {
  readonly role: Role;
  /** The decoder's message limit: a stage that grows messages (inflating) must hold them to it. */
  readonly maxPayload: number;
}

/**
 * What one negotiated extension adds to the chains (RFC 6455 §9): the reserved bits its
 * messages carry, and a stage for each direction that works on {@link MessagePart}s.
 *
 * The decode stage sits between Defragmenter and MessageDecoder and sees every part; it
 * processes those whose `rsv` has its bits, clears them, and passes everything else on
 * in order. The encode stage sits between MessageEncoder and Fragmenter; it sets its bits
 * on the parts it transforms (the Fragmenter puts them on a message's first frame only).
 *
 * With several extensions, outgoing messages pass their encode stages in the order the
 * extensions were agreed (the server's response), incoming messages their decode stages
 * in the reverse order, so that each undoes what its peer did last.
 */
export interface ExtensionStages {
  /** The extension's name: user stages are placed after an extension's stage by it. */
  readonly name: string;
  /** The reserved bits its messages carry: a mask of RSV1, RSV2, RSV3. */
  readonly rsv: number;
  decoder?(next: RecordSink<MessagePart>, context: StageContext): StageCore<MessagePart>;
  encoder?(next: RecordSink<MessagePart>, context: StageContext): StageCore<MessagePart>;
}

/** The check of one ExtensionStages object where options take them. */
export const EXTENSION_STAGES_CHECK = object(
  { name: required(string()), rsv: required(integer(0, 7)), decoder: func, encoder: func },
  'the stages of an agreed extension ({ name, rsv, decoder?, encoder? })',
);
