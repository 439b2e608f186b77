import { CloseCode, isValidWireCloseCode } from './close-codes.js';
import { brand, hasBrand } from './error-brand.js';

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
  | 'WS_ERR_INVALID_MESSAGE'
  | 'WS_ERR_MESSAGE_MEMORY'
  | 'WS_ERR_RATE_LIMITED'
  | 'WS_ERR_IDLE_TIMEOUT'
  | 'WS_ERR_SEND_BUFFER_FULL'
  | 'WS_ERR_SEND_STREAM_FAILED'
  | 'WS_ERR_NOT_OPEN'
  | 'WS_ERR_CLOSED';

/** The close status a {@link WebSocketError} made by the application carries (WHATWG `WebSocketCloseInfo`). */
export interface WebSocketCloseInfo {
  /** Default: 1000 when a reason is given, else 1005 (no status code). */
  closeCode?: number;
  reason?: string;
}

/** The options of a {@link WebSocketError}. */
export interface WebSocketErrorOptions {
  cause?: unknown;
  /** The close reason that applies ('' for none). */
  reason?: string;
}

/**
 * The one error family of wspipe: everything that went wrong on the wire or with a
 * connection is a WebSocketError (a protocol violation of the peer, a failed opening
 * handshake — {@link HandshakeError} —, a connection that closed abnormally —
 * {@link CloseError}). `code` names the failure in Node's style; `closeCode` is the close
 * status that applies (what RFC 6455 asks the endpoint to close with, or 1006) and
 * `reason` its close reason.
 * Mistakes of the caller (bad options, a message the protocol cannot carry) are plain
 * TypeErrors and RangeErrors, as in Node's own APIs.
 *
 * It can also be made as the web's `WebSocketError` is, `new WebSocketError(message,
 * { closeCode, reason })`, to cancel or abort a stream of a connection with that close
 * status (README: "Web Streams").
 *
 * `instanceof` works across copies of the library — the ESM and the CommonJS build
 * loaded in one process (the dual-package hazard) —: it checks a brand registered with
 * `Symbol.for`, not the prototype chain of one copy.
 */
export class WebSocketError extends Error {
  readonly code: string;
  readonly closeCode: number;
  readonly reason: string;

  /** The web's form: an application's close status (`code` is 'WS_ERR_CLOSED'). */
  constructor(message?: string, init?: WebSocketCloseInfo);
  constructor(code: WebSocketErrorCode | (string & {}), closeCode: number, message: string, options?: WebSocketErrorOptions);
  constructor(first?: string, second?: number | WebSocketCloseInfo, message?: string, options?: WebSocketErrorOptions) {
    const fields = typeof second === 'number' ? { code: first!, closeCode: second, message: message!, options } : webForm(first, second);
    const cause = fields.options?.cause;
    super(fields.message, cause === undefined ? undefined : { cause });
    this.name = 'WebSocketError';
    this.code = fields.code;
    this.closeCode = fields.closeCode;
    this.reason = fields.options?.reason ?? '';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, this);
  }
}
brand(WebSocketError, 'WebSocketError');

/** How a connection ended, as its 'close' event reports it. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * A connection that ended any other way than a clean 1000 (normal), 1001 (going away) or
 * 1005 (close frame without a code): a drop (1006), a protocol error, an application code.
 * Async iteration over a connection and `messages$` end with it. `closeCode`, `reason`
 * and `wasClean` are those of the 'close' event.
 */
export class CloseError extends WebSocketError {
  readonly wasClean: boolean;

  constructor(info: CloseInfo, options?: { cause?: unknown }) {
    super(
      'WS_ERR_CLOSED',
      info.code,
      `WebSocket closed with ${info.code}${info.reason ? `: ${info.reason}` : ''}${info.wasClean ? '' : ' (not clean)'}`,
      { cause: options?.cause, reason: info.reason },
    );
    this.name = 'CloseError';
    this.wasClean = info.wasClean;
  }
}
brand(CloseError, 'CloseError');

/** `new WebSocketError(message, { closeCode, reason })`: a reason alone means 1000, nothing 1005 (WHATWG WebSocketError). */
function webForm(message: string | undefined, init: WebSocketCloseInfo | undefined): { code: string; closeCode: number; message: string; options: WebSocketErrorOptions } {
  const reason = init?.reason ?? '';
  if (typeof reason !== 'string') throw new TypeError(`The "reason" of a WebSocketError must be a string. Received ${typeof reason}`);
  const closeCode = init?.closeCode ?? (reason === '' ? CloseCode.NO_STATUS : CloseCode.NORMAL);
  if (!Number.isInteger(closeCode) || (closeCode !== CloseCode.NO_STATUS && !isValidWireCloseCode(closeCode))) {
    throw new RangeError(`The "closeCode" of a WebSocketError must be a close code that may be sent (1000-1003, 1007-1014, 3000-4999). Received ${String(closeCode)}`);
  }
  return { code: 'WS_ERR_CLOSED', closeCode, message: message ?? '', options: { reason } };
}

/** Whether a close ends a stream normally rather than with a {@link CloseError}. */
export function isNormalClose(info: CloseInfo): boolean {
  return info.wasClean && (info.code === CloseCode.NORMAL || info.code === CloseCode.GOING_AWAY || info.code === CloseCode.NO_STATUS);
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
