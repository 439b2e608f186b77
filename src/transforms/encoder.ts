import { encodeStages, fuseStages, type EncoderOptions } from './chain-stages.js';
import { DEFLATE_SCHEMA, type DeflateOptions } from './deflate/options.js';
import { FRAGMENTER_SCHEMA } from './encode/fragmenter.js';
import { EXTENSION_STAGES_CHECK } from './extension-stages.js';
import { ROLE_SCHEMA } from './limits.js';
import { arrayOf, boolean, object, validateOptions, type Schema } from '../validation/schema.js';
import { deflateExtensionStages } from './deflate/stage-options.js';
import type { EncoderInput } from './encode/message-encoder.js';
import { StageTransform, type FusedCore, type RecordSink } from './stage.js';

export type { EncoderOptions } from './chain-stages.js';

/** Options of `createEncoder()`: the chain's, and permessage-deflate as a shorthand. */
export interface CreateEncoderOptions extends EncoderOptions {
  /** permessage-deflate was negotiated (RFC 7692): its Deflate stage runs first among the extensions. */
  deflate?: DeflateOptions | undefined;
}

/** The checks of `createEncoder()`'s options, made at the call. */
export const CREATE_ENCODER_SCHEMA: Schema = {
  ...ROLE_SCHEMA,
  ...FRAGMENTER_SCHEMA,
  separateMasker: boolean,
  deflate: object(DEFLATE_SCHEMA),
  extensions: arrayOf(EXTENSION_STAGES_CHECK),
};

function chainOptions(options: CreateEncoderOptions): EncoderOptions {
  validateOptions(options, CREATE_ENCODER_SCHEMA);
  const { deflate, ...rest } = options;
  return deflate === undefined ? rest : { ...rest, extensions: [deflateExtensionStages({ deflate }), ...(rest.extensions ?? [])] };
}

/**
 * The encode chain fused: MessageEncoder → [extensions] → Fragmenter → FrameSerializer
 * (masking as it writes, for a client) as direct calls, messages in, bytes out to
 * `sink`. With an asynchronous stage (Deflate) the chain is asynchronous; `destroy()`
 * frees its zlib engine.
 */
export function createEncoderCore(options: CreateEncoderOptions, sink: RecordSink<Buffer>): FusedCore<EncoderInput> {
  return fuseStages<EncoderInput>(encodeStages(chainOptions(options)), sink as RecordSink<unknown>);
}

/** One Duplex: messages (or message parts) in, frame bytes out. */
export function createEncoder(options: CreateEncoderOptions): StageTransform<EncoderInput, Buffer> {
  return new StageTransform<EncoderInput, Buffer>((sink) => createEncoderCore(options, sink), { writableObjectMode: true });
}
