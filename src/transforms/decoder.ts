import { decodeStages, fuseStages, type DecoderChainOptions } from './chain-stages.js';
import { INFLATE_SCHEMA, type InflateOptions } from './deflate/options.js';
import { EXTENSION_STAGES_CHECK } from './extension-stages.js';
import { DECODER_SCHEMA } from './limits.js';
import { MEMORY_BUDGET_CHECK } from './memory-budget.js';
import { arrayOf, object, validateOptions, type Schema } from '../validation/schema.js';
import { deflateExtensionStages } from './deflate/stage-options.js';
import type { Message } from './records.js';
import { StageTransform, type FusedCore, type RecordSink } from './stage.js';

export type { DecoderChainOptions } from './chain-stages.js';

/** Options of `createDecoder()`: the chain's, and permessage-deflate as a shorthand. */
export interface CreateDecoderOptions extends DecoderChainOptions {
  /**
   * permessage-deflate was negotiated (RFC 7692): its Inflate stage runs first among the
   * extensions (a shorthand for `deflateExtensionStages({ inflate })`). Its `maxPayload`
   * defaults to the chain's.
   */
  inflate?: InflateOptions | undefined;
}

/** The checks of `createDecoder()`'s options, made at the call. */
export const CREATE_DECODER_SCHEMA: Schema = {
  ...DECODER_SCHEMA,
  messageMemory: MEMORY_BUDGET_CHECK,
  inflate: object(INFLATE_SCHEMA),
  extensions: arrayOf(EXTENSION_STAGES_CHECK),
};

function chainOptions(options: CreateDecoderOptions): DecoderChainOptions {
  validateOptions(options, CREATE_DECODER_SCHEMA);
  const { inflate, ...rest } = options;
  return inflate === undefined ? rest : { ...rest, extensions: [deflateExtensionStages({ inflate }), ...(rest.extensions ?? [])] };
}

/**
 * The decode chain fused: HeaderParser → [Unmasker] → Defragmenter → [extensions] →
 * MessageDecoder as direct calls, bytes in, Messages out to `sink`. Connections use this.
 * Data frames announcing more than `maxPayload` are refused at their header (1009).
 * With an asynchronous stage (Inflate) the chain is asynchronous (`async`, `whenSettled`);
 * `destroy()` frees its zlib engine.
 */
export function createDecoderCore(options: CreateDecoderOptions, sink: RecordSink<Message>): FusedCore<Buffer> {
  return fuseStages<Buffer>(decodeStages(chainOptions(options)), sink as RecordSink<unknown>);
}

/** One Duplex: bytes in, {@link Message} objects out, with no stream hop between stages. */
export function createDecoder(options: CreateDecoderOptions): StageTransform<Buffer, Message> {
  return new StageTransform<Buffer, Message>((sink) => createDecoderCore(options, sink), { readableObjectMode: true });
}
