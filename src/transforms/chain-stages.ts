import { DefragmenterCore } from './decode/defragmenter.js';
import { HeaderParserCore } from './decode/header-parser.js';
import { PREALLOCATE_LIMIT } from './decode/message-assembler.js';
import { MessageDecoderCore, type MessageDecoderOptions } from './decode/message-decoder.js';
import { UnmaskerCore } from './decode/unmasker.js';
import { FragmenterCore, type FragmenterOptions } from './encode/fragmenter.js';
import { FrameSerializerCore } from './encode/frame-serializer.js';
import { MaskerCore } from './encode/masker.js';
import { MessageEncoderCore } from './encode/message-encoder.js';
import type { ExtensionStages, StageContext } from './extension-stages.js';
import { resolveMaxPayload, type DecoderOptions } from './limits.js';
import { RSV1, RSV2, RSV3, type Role } from './records.js';
import { FusedCore, type RecordSink, type StageCore } from './stage.js';

/**
 * The built-in stages of each chain, in order: the names user stages are placed after.
 * Which of them a chain has depends on its role (a server's decode chain unmasks, a
 * client's encode chain masks) and on whether messages are streamed (MessageStreamer
 * replaces MessageDecoder); negotiated extensions' stages go between Defragmenter and
 * MessageDecoder, and between MessageEncoder and Fragmenter, under their own names.
 */
export const DECODE_STAGE_NAMES = ['HeaderParser', 'Unmasker', 'Defragmenter', 'MessageDecoder', 'MessageStreamer'] as const;
export const ENCODE_STAGE_NAMES = ['MessageEncoder', 'Fragmenter', 'Masker', 'FrameSerializer'] as const;
export type DecodeStageName = (typeof DECODE_STAGE_NAMES)[number];
export type EncodeStageName = (typeof ENCODE_STAGE_NAMES)[number];

/** Options of the decode chain. */
export interface DecoderChainOptions extends DecoderOptions, Pick<MessageDecoderOptions, 'messageMemory'> {
  /** The negotiated extensions, in the order agreed; their decode stages run in reverse. */
  extensions?: readonly ExtensionStages[] | undefined;
}

/** Options of the encode chain. */
export interface EncoderOptions extends FragmenterOptions {
  /** A client masks every frame (RFC 6455 §5.3). */
  role: Role;
  /** The negotiated extensions, in the order agreed. */
  extensions?: readonly ExtensionStages[] | undefined;
  /**
   * Keep masking a stage of its own (client role), so that a stage placed after 'Masker'
   * sees masked frames. Otherwise the FrameSerializer masks while it writes: one copy.
   */
  separateMasker?: boolean;
}

/** One stage of a chain, by name, with the factory of its core. */
export interface NamedStage {
  readonly name: string;
  create(next: RecordSink<unknown>): StageCore<unknown>;
}

/** Names a core factory; the records between stages are typed by the cores themselves. */
export function namedStage<In, Out>(name: string, create: (next: RecordSink<Out>) => StageCore<In>): NamedStage {
  return { name, create: create as (next: RecordSink<unknown>) => StageCore<unknown> };
}

/** The mask of the reserved bits that `extensions` (and explicit `allowRsvN` options) give meaning to. */
function allowedBits(options: DecoderChainOptions): { allowRsv1: boolean; allowRsv2: boolean; allowRsv3: boolean } {
  let bits = (options.allowRsv1 ? RSV1 : 0) | (options.allowRsv2 ? RSV2 : 0) | (options.allowRsv3 ? RSV3 : 0);
  for (const extension of options.extensions ?? []) bits |= extension.rsv;
  return { allowRsv1: (bits & RSV1) !== 0, allowRsv2: (bits & RSV2) !== 0, allowRsv3: (bits & RSV3) !== 0 };
}

/**
 * The decode chain for a role: HeaderParser → [Unmasker, server only] → Defragmenter →
 * [extensions' decode stages, last agreed first] → MessageDecoder. The header parser
 * enforces the role's mask rule (RFC 6455 §5.1) and the reserved bits the extensions
 * claim (RFC 6455 §5.2). A `tail` replaces MessageDecoder (a connection streaming
 * messages); frames are then not refused by size up front.
 */
export function decodeStages(options: DecoderChainOptions, tail?: NamedStage): NamedStage[] {
  const maxPayload = resolveMaxPayload(options);
  const parserOptions = {
    ...allowedBits(options),
    role: options.role,
    // A streaming tail bounds messages by backpressure instead: frames of any size pass.
    maxPayload: tail ? Infinity : maxPayload,
  };
  const stages = [namedStage('HeaderParser', (next: RecordSink<never>) => new HeaderParserCore(parserOptions, next))];
  // Only a server unmasks: the parser has already refused masked frames to a client. With
  // a MessageDecoder at the end, a frame that arrives in pieces is unmasked straight into
  // the one buffer it would be assembled in anyway, within the size the MessageDecoder
  // would allocate at once on a header's claim, and reserved in the same budget.
  const unmaskerOptions = {
    assembleFramesUpTo: tail ? 0 : Math.min(maxPayload, PREALLOCATE_LIMIT),
    messageMemory: options.messageMemory,
  };
  if (options.role === 'server') stages.push(namedStage('Unmasker', (next: RecordSink<never>) => new UnmaskerCore(unmaskerOptions, next)));
  stages.push(namedStage('Defragmenter', (next: RecordSink<never>) => new DefragmenterCore(options, next)));
  const context: StageContext = { role: options.role, maxPayload };
  const extensions = options.extensions ?? [];
  for (let i = extensions.length - 1; i >= 0; i--) {
    const extension = extensions[i]!;
    const decoder = extension.decoder;
    if (decoder) stages.push(namedStage(extension.name, (next: RecordSink<never>) => decoder.call(extension, next, context)));
  }
  stages.push(tail ?? namedStage('MessageDecoder', (next: RecordSink<never>) => new MessageDecoderCore(options, next)));
  return stages;
}

/**
 * The encode chain for a role: MessageEncoder → [extensions' encode stages, in the order
 * agreed] → Fragmenter → FrameSerializer. A client's FrameSerializer masks as it writes
 * (RFC 6455 §5.3): header, key and masked payload in one pass, one copy.
 */
export function encodeStages(options: EncoderOptions): NamedStage[] {
  const stages = [namedStage('MessageEncoder', (next: RecordSink<never>) => new MessageEncoderCore(next))];
  const context: StageContext = { role: options.role, maxPayload: Infinity };
  for (const extension of options.extensions ?? []) {
    const encoder = extension.encoder;
    if (encoder) stages.push(namedStage(extension.name, (next: RecordSink<never>) => encoder.call(extension, next, context)));
  }
  stages.push(namedStage('Fragmenter', (next: RecordSink<never>) => new FragmenterCore(options, next)));
  const client = options.role === 'client';
  if (client && options.separateMasker) {
    stages.push(namedStage('Masker', (next: RecordSink<never>) => new MaskerCore({ role: 'client' }, next)));
  }
  const mask = client && !options.separateMasker;
  stages.push(namedStage('FrameSerializer', (next: RecordSink<never>) => new FrameSerializerCore(next, { mask })));
  return stages;
}

/** The stages chained as direct calls, last one writing to `sink`: the fused path. */
export function fuseStages<In>(stages: readonly NamedStage[], sink: RecordSink<unknown>): FusedCore<In> {
  const cores: StageCore<unknown>[] = new Array(stages.length);
  let next: RecordSink<unknown> = sink;
  for (let i = stages.length - 1; i >= 0; i--) {
    const core = stages[i]!.create(next);
    cores[i] = core;
    next = core;
  }
  return new FusedCore<In>(cores as StageCore<never>[]);
}
