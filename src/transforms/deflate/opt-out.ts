import { encodeMessage, type EncoderInput } from '../encode/message-encoder.js';
import type { MessagePart } from '../records.js';

/**
 * Encoder input for one message with compression chosen per message: `false` sends it
 * uncompressed, `true` compresses it even below the threshold (see `MessagePart.compress`).
 * For a message written in parts, set `compress` on its first part instead.
 */
export function withCompress(input: EncoderInput, compress: boolean): MessagePart {
  const part = 'kind' in input ? input : encodeMessage(input);
  return { ...part, compress };
}
