import { decodeStages, fuseStages, type DecoderChainOptions } from './chain-stages.js';
import type { Message } from './records.js';
import { StageTransform, type RecordSink, type StageCore } from './stage.js';

export type { DecoderChainOptions } from './chain-stages.js';

/**
 * The decode chain fused: HeaderParser → Unmasker → Defragmenter → [Inflate] →
 * MessageDecoder as direct calls, bytes in, Messages out to `sink`. Connections use this.
 * Data frames announcing more than `maxPayload` are refused at their header (1009).
 * With `inflate` the chain is asynchronous (`whenSettled`); `destroy()` frees its zlib engine.
 */
export function createDecoderCore(options: DecoderChainOptions, sink: RecordSink<Message>): StageCore<Buffer> {
  return fuseStages<Buffer>(decodeStages(options), sink as RecordSink<unknown>);
}

/** One Duplex: bytes in, {@link Message} objects out, with no stream hop between stages. */
export function createDecoder(options: DecoderChainOptions): StageTransform<Buffer, Message> {
  return new StageTransform<Buffer, Message>((sink) => createDecoderCore(options, sink), { readableObjectMode: true });
}
