import { DefragmenterCore } from './decode/defragmenter.js';
import { HeaderParserCore } from './decode/header-parser.js';
import { MessageDecoderCore } from './decode/message-decoder.js';
import { UnmaskerCore } from './decode/unmasker.js';
import { InflateCore } from './deflate/inflate.js';
import type { InflateOptions } from './deflate/options.js';
import type { DecoderOptions } from './limits.js';
import type { Message } from './records.js';
import { FusedCore, StageTransform, type RecordSink, type StageCore } from './stage.js';

/** Options of the fused decode chain. */
export interface DecoderChainOptions extends DecoderOptions {
  /**
   * permessage-deflate was negotiated (RFC 7692): RSV1 is allowed and an Inflate stage
   * runs between Defragmenter and MessageDecoder. Its `maxPayload` defaults to the chain's.
   */
  inflate?: InflateOptions | undefined;
}

/**
 * The decode chain fused: HeaderParser → Unmasker → Defragmenter → [Inflate] →
 * MessageDecoder as direct calls, bytes in, Messages out to `sink`. Connections use this.
 * With `inflate` the chain is asynchronous (`whenSettled`); `destroy()` frees its zlib engine.
 */
export function createDecoderCore(options: DecoderChainOptions, sink: RecordSink<Message>): StageCore<Buffer> {
  const decoder = new MessageDecoderCore(options, sink);
  if (options.inflate !== undefined) {
    const inflate = new InflateCore({ ...options.inflate, maxPayload: options.inflate.maxPayload ?? options.maxPayload }, decoder);
    const defragmenter = new DefragmenterCore(options, inflate);
    const unmasker = new UnmaskerCore(options, defragmenter);
    // RFC 7692 §6: RSV1 is the "Per-Message Compressed" bit.
    const parser = new HeaderParserCore({ ...options, allowRsv1: true }, unmasker);
    return new FusedCore<Buffer>(parser, [parser, unmasker, defragmenter, inflate, decoder]);
  }
  const defragmenter = new DefragmenterCore(options, decoder);
  const unmasker = new UnmaskerCore(options, defragmenter);
  const parser = new HeaderParserCore(options, unmasker);
  return new FusedCore<Buffer>(parser, [parser, unmasker, defragmenter, decoder]);
}

/** One Duplex: bytes in, {@link Message} objects out, with no stream hop between stages. */
export function createDecoder(options: DecoderChainOptions): StageTransform<Buffer, Message> {
  return new StageTransform<Buffer, Message>((sink) => createDecoderCore(options, sink), { readableObjectMode: true });
}
