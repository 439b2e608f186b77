import { EMPTY_BUFFER } from '../records.js';

/**
 * The 4 bytes that end a DEFLATE sync flush: the LEN/NLEN of an empty stored block
 * (RFC 1951 §3.2.4). RFC 7692 §7.2.1 strips them from a compressed message and §7.2.2
 * appends them again before inflating.
 */
export const DEFLATE_TAIL: Buffer = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * RFC 7692 §7.2.3.6: one byte holding the header bits of an empty stored block. Plus the
 * tail the receiver appends, it is a complete empty block: the payload of a compressed
 * message that adds no data after the previous sync flush.
 */
export function emptyBlockHeader(): Buffer {
  return Buffer.from([0x00]);
}

/**
 * The payload of a message's final part (RFC 7692 §7.2.1 step 3): the compressor's
 * output, which ends with a sync flush, without its last 4 bytes. zlib produces nothing
 * for a flush right after another flush; that, like an output of only the tail, becomes
 * the 1-byte empty block header.
 */
export function stripDeflateTail(output: Buffer): Buffer {
  const length = output.length;
  if (length === 0) return emptyBlockHeader();
  if (length < 4 || output.readUInt32BE(length - 4) !== 0x0000ffff) {
    throw new Error('permessage-deflate: the compressor output does not end with a sync flush');
  }
  return length === 4 ? emptyBlockHeader() : output.subarray(0, length - 4);
}

/** What to feed the inflater for the end of a message: its data, then the tail (§7.2.2). */
export function withDeflateTail(pieces: readonly Buffer[], bytes: number, copyLimit: number): Buffer[] {
  // Small endings are joined with the tail so that the message costs one zlib job, not two.
  if (bytes <= copyLimit) return [Buffer.concat([...pieces, DEFLATE_TAIL], bytes + DEFLATE_TAIL.length)];
  return [join(pieces, bytes), DEFLATE_TAIL];
}

/** One buffer holding `pieces`, copied only when there are several. */
export function join(pieces: readonly Buffer[], bytes: number): Buffer {
  if (pieces.length === 1) return pieces[0]!;
  return pieces.length === 0 ? EMPTY_BUFFER : Buffer.concat(pieces, bytes);
}
