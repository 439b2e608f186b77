import { CloseCode, isValidWireCloseCode } from '../close-codes.js';
import { MAX_CLOSE_REASON_BYTES } from '../transforms/close-frame.js';

export { CloseError, isNormalClose, type CloseInfo } from '../errors.js';

/**
 * The close frame to send for an error passed to `error(e)`: its `closeCode` (a
 * WebSocketError) or numeric `code` (rxjs's convention) when that may be sent, else 1011;
 * its `reason` when it is a string. The message is not sent: it may hold internals.
 */
export function closeRequestOf(error: unknown): { code: number; reason: string } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { closeCode?: unknown; code?: unknown; reason?: unknown };
  const candidates = [fields.closeCode, fields.code];
  const code = candidates.find((value): value is number => typeof value === 'number' && isValidWireCloseCode(value)) ?? CloseCode.INTERNAL_ERROR;
  const reason = typeof fields.reason === 'string' ? truncateUtf8(fields.reason, MAX_CLOSE_REASON_BYTES) : '';
  return { code, reason };
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let result = '';
  let bytes = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > max) break;
    result += char;
  }
  return result;
}
