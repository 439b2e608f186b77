import { isValidWireCloseCode } from '../close-codes.js';
import { invalidUtf8Error, protocolError } from '../errors.js';
import { invalidMessage } from './invalid-message.js';
import { EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, type CloseMessage } from './records.js';
import { isValidUtf8 } from './utf8-validator.js';

/** RFC 6455 §5.5: 125 payload bytes, 2 of them for the status code. */
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

/** Reads a received close payload (RFC 6455 §5.5.1, §7.4); throws a WebSocketError. */
export function parseClosePayload(data: Buffer): CloseMessage {
  if (data.length === 0) return { type: 'close', reason: '' };
  if (data.length === 1) throw protocolError('WS_ERR_INVALID_CLOSE_FRAME', 'Close frame payload of 1 byte');
  const code = data.readUInt16BE(0);
  if (!isValidWireCloseCode(code)) throw protocolError('WS_ERR_INVALID_CLOSE_CODE', `Invalid close code ${code}`);
  const reason = data.subarray(2);
  if (!isValidUtf8(reason)) throw invalidUtf8Error('close reason');
  return { type: 'close', code, reason: reason.toString('utf8') };
}

/** Builds a close payload to send; refuses what RFC 6455 §7.4 does not allow on the wire. */
export function buildClosePayload(code: number | undefined, reason: string): Buffer {
  if (code === undefined) {
    // RFC 6455 §5.5.1: a reason may only follow a status code.
    if (reason !== '') throw invalidMessage('A close reason needs a close code');
    return EMPTY_BUFFER;
  }
  if (!Number.isInteger(code) || !isValidWireCloseCode(code)) {
    throw invalidMessage(`Close code ${code} may not be sent: use 1000-1003, 1007-1014 or 3000-4999`);
  }
  const length = Buffer.byteLength(reason);
  if (length > MAX_CLOSE_REASON_BYTES) {
    throw invalidMessage(`Close reason is ${length} bytes; at most ${MAX_CLOSE_REASON_BYTES} fit in a close frame`);
  }
  const payload = Buffer.allocUnsafe(2 + length);
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return payload;
}
