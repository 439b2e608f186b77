import { constants, deflateRawSync } from 'node:zlib';
import type { SharedEncoding } from '../extension-stages.js';
import { messagePart, RSV1, type MessagePart } from '../records.js';
import { compressesMessage } from './deflate.js';
import { stripDeflateTail } from './deflate-tail.js';
import { resolveDeflateOptions, type DeflateOptions } from './options.js';
import { PERMESSAGE_DEFLATE } from './parameters.js';

/**
 * permessage-deflate's {@link SharedEncoding}: a published message is compressed once for
 * every connection that agreed on the same parameters.
 *
 * Without context takeover every message starts from an empty window (RFC 7692 §7.1.1), so
 * the compressed bytes depend only on the message and the parameters: `encode` compresses
 * it once, synchronously (one zlib pass for all subscribers costs less than a thread-pool
 * round trip per subscriber), with the sync flush's tail stripped (§7.2.1).
 *
 * With context takeover the compressor's window holds that connection's earlier messages,
 * and its peer's inflater expects the next message to continue from it: bytes compressed
 * elsewhere would leave the two windows out of step. Such connections compress published
 * messages themselves; only messages sent uncompressed (below the threshold, or
 * `compress: false`) are shared.
 */
export function sharedDeflate(options: DeflateOptions): SharedEncoding {
  const { windowBits, level, memLevel, threshold, noContextTakeover } = resolveDeflateOptions(options);
  const passes = (part: MessagePart): boolean => !compressesMessage(part, threshold);
  const key = `${PERMESSAGE_DEFLATE};window=${windowBits};level=${level};memLevel=${memLevel};threshold=${threshold}`;
  if (!noContextTakeover) return { key: `${key};context-takeover`, passes };
  const zlibOptions = { windowBits, level, memLevel, finishFlush: constants.Z_SYNC_FLUSH };
  return {
    key,
    passes,
    encode: (part) => messagePart(part.kind, part.rsv | RSV1, stripDeflateTail(deflateRawSync(part.data, zlibOptions)), true),
  };
}
