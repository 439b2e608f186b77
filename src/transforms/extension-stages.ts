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
  /**
   * How a message sent to many connections at once (a topic's publication) can be encoded
   * once for all of them. Left out, an extension with an encoder makes every connection
   * that agreed on it encode published messages itself.
   */
  readonly shared?: SharedEncoding;
}

/**
 * What lets a published message be encoded once and the same bytes be written to many
 * connections: connections whose extensions give equal `key`s encode a whole message to
 * the same bytes, computed by `encode`.
 */
export interface SharedEncoding {
  /** Equal for every connection whose encode stage treats a whole message the same way (its agreed parameters). */
  readonly key: string;
  /** Whether the encode stage passes this whole message on untouched (permessage-deflate: below its threshold, or `compress: false`). */
  passes(part: MessagePart): boolean;
  /**
   * Encodes one whole data message synchronously, as the encode stage would. Absent when
   * the stage carries state from one message to the next (permessage-deflate with context
   * takeover): each connection then encodes the messages it does not pass.
   */
  encode?(part: MessagePart): MessagePart;
}

/** The check of one ExtensionStages object where options take them. */
export const EXTENSION_STAGES_CHECK = object(
  {
    name: required(string()),
    rsv: required(integer(0, 7)),
    decoder: func,
    encoder: func,
    shared: object({ key: required(string()), passes: required(func), encode: func }, 'a shared encoding ({ key, passes, encode? })'),
  },
  'the stages of an agreed extension ({ name, rsv, decoder?, encoder? })',
);
