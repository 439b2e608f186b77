import { encodeStages, fuseStages, type EncoderOptions } from './chain-stages.js';
import type { EncoderInput } from './encode/message-encoder.js';
import { StageTransform, type RecordSink, type StageCore } from './stage.js';

export type { EncoderOptions } from './chain-stages.js';

/**
 * The encode chain fused: MessageEncoder → [Deflate] → Fragmenter → Masker →
 * FrameSerializer as direct calls, messages in, bytes out to `sink`. With `deflate` the
 * chain is asynchronous (`whenSettled`); `destroy()` frees its zlib engine.
 */
export function createEncoderCore(options: EncoderOptions, sink: RecordSink<Buffer>): StageCore<EncoderInput> {
  return fuseStages<EncoderInput>(encodeStages(options), sink as RecordSink<unknown>);
}

/** One Duplex: messages (or message parts) in, frame bytes out. */
export function createEncoder(options: EncoderOptions): StageTransform<EncoderInput, Buffer> {
  return new StageTransform<EncoderInput, Buffer>((sink) => createEncoderCore(options, sink), { writableObjectMode: true });
}
