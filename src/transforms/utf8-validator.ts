/**
 * Strict UTF-8 validation for text messages that arrive in pieces (RFC 6455 §8.1,
 * RFC 3629; Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
 *
 * The bulk of every chunk goes to Node's native `isUtf8` (SIMD). Only the 0–3 bytes of a
 * code point cut by a chunk edge go through a small state machine, and that machine
 * rejects as soon as a byte rules out every continuation (F4 90, ED A0, E0 80, ...), so a
 * bad message fails on the chunk where its first bad byte arrives.
 */
import { isUtf8 } from 'node:buffer';

/**
 * Below this length the state machine over every byte beats the fixed ~50 ns cost of
 * calling `isUtf8` (measured: the two cross near 16–24 bytes). write() relies on longer
 * chunks holding the rest of an open code point plus 3 more bytes, so keep it >= 7.
 */
const TINY = 16;

export class Utf8Validator {
  /** Continuation bytes still expected by the sequence left open by the last chunk. */
  private need = 0;
  /** Allowed range of the next continuation byte: narrower right after E0, ED, F0, F4. */
  private lo = 0x80;
  private hi = 0xbf;
  private failed = false;

  /**
   * Feeds the next piece. Returns false as soon as the bytes seen so far cannot be the
   * start of valid UTF-8; from then on every call returns false until reset().
   */
  write(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    const len = chunk.length;
    if (len < TINY) return this.scan(chunk, 0, len);

    // Finish the code point left open by the previous chunk (at most 3 bytes).
    let start = 0;
    if (this.need !== 0) {
      start = this.need;
      if (!this.scan(chunk, 0, start)) return false;
    }

    // Hold back a trailing sequence that this chunk leaves incomplete: its lead byte is
    // among the last 3 bytes and announces more bytes than remain.
    let tail = len;
    for (let q = len - 1, stop = len - 3; q >= stop; q--) {
      const b = chunk[q]!;
      if ((b & 0xc0) !== 0x80) {
        if (b >= 0xc0 && q + (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) > len) tail = q;
        break;
      }
    }

    if (start === 0 && tail === len) {
      if (!isUtf8(chunk)) return this.fail();
      return true;
    }
    // isUtf8 takes no range, so a cut code point costs this one view.
    if (tail > start && !isUtf8(new Uint8Array(chunk.buffer, chunk.byteOffset + start, tail - start))) {
      return this.fail();
    }
    return tail === len || this.scan(chunk, tail, len);
  }

  /**
   * Ends the message: true if everything written was valid and no code point is left
   * incomplete. Also resets, so the validator is ready for the next message.
   */
  end(): boolean {
    const ok = !this.failed && this.need === 0;
    this.reset();
    return ok;
  }

  /** Forgets everything written so far. */
  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
    this.failed = false;
  }

  /** The state machine (Unicode Table 3-7) over `chunk[from, to)`. */
  private scan(chunk: Uint8Array, from: number, to: number): boolean {
    let need = this.need;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = from; i < to; i++) {
      const b = chunk[i]!;
      if (need !== 0) {
        if (b < lo || b > hi) return this.fail();
        need--;
        lo = 0x80;
        hi = 0xbf;
      } else if (b < 0x80) {
        // ASCII
      } else if (b < 0xc2) {
        return this.fail(); // a stray continuation byte, or C0/C1 (always overlong)
      } else if (b < 0xe0) {
        need = 1;
      } else if (b < 0xf0) {
        need = 2;
        if (b === 0xe0) lo = 0xa0; // below: overlong
        else if (b === 0xed) hi = 0x9f; // above: surrogates D800–DFFF
      } else if (b < 0xf5) {
        need = 3;
        if (b === 0xf0) lo = 0x90; // below: overlong
        else if (b === 0xf4) hi = 0x8f; // above: beyond U+10FFFF
      } else {
        return this.fail(); // F5–FF never occur
      }
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return true;
  }

  private fail(): false {
    this.failed = true;
    return false;
  }
}

const oneShot = new Utf8Validator();

/** Whether `data` is, by itself, complete and valid UTF-8. */
export function isValidUtf8(data: Uint8Array): boolean {
  if (data.length >= TINY) return isUtf8(data);
  oneShot.reset();
  return oneShot.write(data) && oneShot.end();
}
