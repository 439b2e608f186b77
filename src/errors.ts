import { CloseCode } from './close-codes.js';

/** Node-style string codes of {@link WebSocketError}. */
export type WebSocketErrorCode =
  | 'WS_ERR_INVALID_OPCODE'
  | 'WS_ERR_UNEXPECTED_RSV_1'
  | 'WS_ERR_UNEXPECTED_RSV_2'
  | 'WS_ERR_UNEXPECTED_RSV_3'
  | 'WS_ERR_EXPECTED_MASK'
  | 'WS_ERR_UNEXPECTED_MASK'
  | 'WS_ERR_EXPECTED_FIN'
  | 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'
  | 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'
  | 'WS_ERR_UNEXPECTED_CONTINUATION'
  | 'WS_ERR_EXPECTED_CONTINUATION'
  | 'WS_ERR_MESSAGE_TOO_BIG'
  | 'WS_ERR_TOO_MANY_FRAGMENTS'
  | 'WS_ERR_INVALID_UTF8'
  | 'WS_ERR_INVALID_CLOSE_FRAME'
  | 'WS_ERR_INVALID_CLOSE_CODE'
  | 'WS_ERR_COMPRESSION_NOT_NEGOTIATED'
  | 'WS_ERR_INVALID_COMPRESSED_DATA'
  | 'WS_ERR_UNEXPECTED_EOF'
  | 'WS_ERR_INVALID_MESSAGE';

/**
 * A WebSocket protocol violation. `closeCode` is the status code that RFC 6455
 * asks the endpoint to close with; `code` names the violation in Node's style.
 */
export class WebSocketError extends Error {
  readonly code: WebSocketErrorCode;
  readonly closeCode: number;

  constructor(code: WebSocketErrorCode, closeCode: number, message: string) {
    super(message);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

/** RFC 6455 §7.4.1: 1002 is the code for a broken framing or protocol rule. */
export function protocolError(code: WebSocketErrorCode, message: string): WebSocketError {
  return new WebSocketError(code, CloseCode.PROTOCOL_ERROR, message);
}

/** RFC 6455 §8.1: invalid UTF-8 in a text message fails the connection with 1007. */
export function invalidUtf8Error(where: string): WebSocketError {
  return new WebSocketError('WS_ERR_INVALID_UTF8', CloseCode.INVALID_PAYLOAD, `Invalid UTF-8 in ${where}`);
}

/** RFC 6455 §7.4.1: 1009 when a message is too big to process. */
export function tooBigError(code: 'WS_ERR_MESSAGE_TOO_BIG' | 'WS_ERR_TOO_MANY_FRAGMENTS', message: string): WebSocketError {
  return new WebSocketError(code, CloseCode.MESSAGE_TOO_BIG, message);
}

/** Normalises anything thrown inside a stage into an Error for a stream callback. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
