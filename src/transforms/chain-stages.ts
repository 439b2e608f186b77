import { DefragmenterCore } from './decode/defragmenter.js';
import { HeaderParserCore } from './decode/header-parser.js';
import { MessageDecoderCore } from './decode/message-decoder.js';
import { UnmaskerCore } from './decode/unmasker.js';
import { DeflateCore } from './deflate/deflate.js';
import type { DeflateOptions, InflateOptions } from './deflate/options.js';
import { InflateCore } from './deflate/inflate.js';
import { FragmenterCore, type FragmenterOptions } from './encode/fragmenter.js';
import { FrameSerializerCore } from './encode/frame-serializer.js';
import { MaskerCore } from './encode/masker.js';
import { MessageEncoderCore } from './encode/message-encoder.js';
import { resolveMaxPayload, type DecoderOptions } from './limits.js';
import type { Role } from './records.js';
import { FusedCore, type RecordSink, type StageCore } from './stage.js';

/** Options of the decode chain. */
export interface DecoderChainOptions extends DecoderOptions {
  /**
   * permessage-deflate was negotiated (RFC 7692): RSV1 is allowed and an Inflate stage
   * runs between Defragmenter and MessageDecoder. Its `maxPayload` defaults to the chain's.
   */
  inflate?: InflateOptions | undefined;
}

/** Options of the encode chain. */
export interface EncoderOptions extends FragmenterOptions {
  /** A client masks every frame (RFC 6455 §5.3). */
  role: Role;
  /** permessage-deflate was negotiated (RFC 7692): a Deflate stage runs between MessageEncoder and Fragmenter. */
  deflate?: DeflateOptions | undefined;
}

/** The decode chain's stages, in order: the names users place their own stages after. Inflate only runs with permessage-deflate. */
export const DECODE_STAGE_NAMES = ['HeaderParser', 'Unmasker', 'Defragmenter', 'Inflate', 'MessageDecoder'] as const;
/** The encode chain's stages, in order. Deflate only runs with permessage-deflate. */
export const ENCODE_STAGE_NAMES = ['MessageEncoder', 'Deflate', 'Fragmenter', 'Masker', 'FrameSerializer'] as const;
export type DecodeStageName = (typeof DECODE_STAGE_NAMES)[number];
export type EncodeStageName = (typeof ENCODE_STAGE_NAMES)[number];

/** One stage of a chain, by name, with the factory of its core. */
export interface NamedStage {
  readonly name: string;
  create(next: RecordSink<unknown>): StageCore<unknown>;
}

/** Names a core factory; the records between stages are typed by the cores themselves. */
export function namedStage<In, Out>(name: DecodeStageName | EncodeStageName, create: (next: RecordSink<Out>) => StageCore<In>): NamedStage {
  return { name, create: create as (next: RecordSink<unknown>) => StageCore<unknown> };
}

/**
 * The decode chain's stages in order: HeaderParser → Unmasker → Defragmenter → [Inflate] →
 * MessageDecoder. A `tail` replaces MessageDecoder (a connection streaming messages); it
 * then decides how messages are bounded, so frames are not refused by size up front.
 */
export function decodeStages(options: DecoderChainOptions, tail?: NamedStage): NamedStage[] {
  const inflate = options.inflate;
  const parserOptions = {
    ...options,
    // RFC 7692 §6: RSV1 is the "Per-Message Compressed" bit.
    allowRsv1: options.allowRsv1 === true || inflate !== undefined,
    // A streaming tail bounds messages by backpressure instead: frames of any size pass.
    maxPayload: tail ? Infinity : resolveMaxPayload(options),
  };
  const stages = [
    namedStage('HeaderParser', (next: RecordSink<never>) => new HeaderParserCore(parserOptions, next)),
    namedStage('Unmasker', (next: RecordSink<never>) => new UnmaskerCore(options, next)),
    namedStage('Defragmenter', (next: RecordSink<never>) => new DefragmenterCore(options, next)),
  ];
  if (inflate !== undefined) {
    const inflateOptions = { ...inflate, maxPayload: inflate.maxPayload ?? options.maxPayload };
    stages.push(namedStage('Inflate', (next: RecordSink<never>) => new InflateCore(inflateOptions, next)));
  }
  stages.push(tail ?? namedStage('MessageDecoder', (next: RecordSink<never>) => new MessageDecoderCore(options, next)));
  return stages;
}

/** The encode chain's stages in order: MessageEncoder → [Deflate] → Fragmenter → Masker → FrameSerializer. */
export function encodeStages(options: EncoderOptions): NamedStage[] {
  const stages = [namedStage('MessageEncoder', (next: RecordSink<never>) => new MessageEncoderCore(next))];
  const deflate = options.deflate;
  if (deflate !== undefined) stages.push(namedStage('Deflate', (next: RecordSink<never>) => new DeflateCore(deflate, next)));
  stages.push(
    namedStage('Fragmenter', (next: RecordSink<never>) => new FragmenterCore(options, next)),
    namedStage('Masker', (next: RecordSink<never>) => new MaskerCore(options, next)),
    namedStage('FrameSerializer', (next: RecordSink<never>) => new FrameSerializerCore(next)),
  );
  return stages;
}

/** The stages chained as direct calls, last one writing to `sink`: the fused path. */
export function fuseStages<In>(stages: readonly NamedStage[], sink: RecordSink<unknown>): FusedCore<In> {
  const cores: StageCore<unknown>[] = [];
  let next: RecordSink<unknown> = sink;
  for (let i = stages.length - 1; i >= 0; i--) {
    const core = stages[i]!.create(next);
    cores.unshift(core);
    next = core;
  }
  return new FusedCore<In>(cores as StageCore<never>[]);
}
