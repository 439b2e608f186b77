import { DeflateCore } from './deflate/deflate.js';
import type { DeflateOptions } from './deflate/options.js';
import { FragmenterCore, type FragmenterOptions } from './encode/fragmenter.js';
import { FrameSerializerCore } from './encode/frame-serializer.js';
import { MaskerCore } from './encode/masker.js';
import { MessageEncoderCore, type EncoderInput } from './encode/message-encoder.js';
import type { Role } from './records.js';
import { FusedCore, StageTransform, type RecordSink, type StageCore } from './stage.js';

export interface EncoderOptions extends FragmenterOptions {
  /** A client masks every frame (RFC 6455 §5.3). */
  role: Role;
  /** permessage-deflate was negotiated (RFC 7692): a Deflate stage runs between MessageEncoder and Fragmenter. */
  deflate?: DeflateOptions | undefined;
}

/**
 * The encode chain fused: MessageEncoder → [Deflate] → Fragmenter → Masker →
 * FrameSerializer as direct calls, messages in, bytes out to `sink`. With `deflate` the
 * chain is asynchronous (`whenSettled`); `destroy()` frees its zlib engine.
 */
export function createEncoderCore(options: EncoderOptions, sink: RecordSink<Buffer>): StageCore<EncoderInput> {
  const serializer = new FrameSerializerCore(sink);
  const masker = new MaskerCore(options, serializer);
  const fragmenter = new FragmenterCore(options, masker);
  if (options.deflate !== undefined) {
    const deflate = new DeflateCore(options.deflate, fragmenter);
    const encoder = new MessageEncoderCore(deflate);
    return new FusedCore<EncoderInput>(encoder, [encoder, deflate, fragmenter, masker, serializer]);
  }
  const encoder = new MessageEncoderCore(fragmenter);
  return new FusedCore<EncoderInput>(encoder, [encoder, fragmenter, masker, serializer]);
}

/** One Duplex: messages (or message parts) in, frame bytes out. */
export function createEncoder(options: EncoderOptions): StageTransform<EncoderInput, Buffer> {
  return new StageTransform<EncoderInput, Buffer>((sink) => createEncoderCore(options, sink), { writableObjectMode: true });
}
