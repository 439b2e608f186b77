import { CloseCode } from '../close-codes.js';
import { brand } from '../error-brand.js';
import { WebSocketError } from '../errors.js';

/** Node-style string codes of {@link HandshakeError}. */
export type HandshakeErrorCode =
  // Server side: the upgrade request (RFC 6455 §4.2.1).
  | 'WS_ERR_HANDSHAKE_BAD_METHOD'
  | 'WS_ERR_HANDSHAKE_BAD_HTTP_VERSION'
  | 'WS_ERR_HANDSHAKE_MISSING_HOST'
  | 'WS_ERR_HANDSHAKE_BAD_UPGRADE'
  | 'WS_ERR_HANDSHAKE_BAD_CONNECTION'
  | 'WS_ERR_HANDSHAKE_BAD_KEY'
  | 'WS_ERR_HANDSHAKE_BAD_VERSION'
  | 'WS_ERR_HANDSHAKE_BAD_PROTOCOL'
  | 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS'
  | 'WS_ERR_HANDSHAKE_PROTOCOL_NOT_OFFERED'
  // Server side: an HTTP/2 extended CONNECT (RFC 8441 §4) without a usable :scheme or :path.
  | 'WS_ERR_HANDSHAKE_BAD_PSEUDO_HEADER'
  // Server side: refused by the server's own policy (path, verifyClient, shutting down).
  | 'WS_ERR_HANDSHAKE_REFUSED'
  // Server side: reading the request head from a bare socket.
  | 'WS_ERR_HANDSHAKE_MALFORMED_REQUEST'
  | 'WS_ERR_HANDSHAKE_HEADERS_TOO_LARGE'
  | 'WS_ERR_HANDSHAKE_TOO_MANY_HEADERS'
  | 'WS_ERR_HANDSHAKE_TIMEOUT'
  | 'WS_ERR_HANDSHAKE_SOCKET_CLOSED'
  // Client side: the server's response (RFC 6455 §4.1).
  | 'WS_ERR_HANDSHAKE_BAD_STATUS'
  | 'WS_ERR_HANDSHAKE_BAD_ACCEPT'
  | 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED'
  // Client side: the peer did not answer with HTTP at all.
  | 'WS_ERR_HANDSHAKE_NOT_HTTP'
  // Client side: the HTTP/2 stream closed before its response (RFC 8441).
  | 'WS_ERR_HANDSHAKE_STREAM_CLOSED'
  // Client side: an HTTP proxy refused to open the tunnel (CONNECT answered other than 2xx).
  | 'WS_ERR_PROXY_REFUSED';

/** Response headers a server sends along with a handshake failure. */
export type HandshakeErrorHeaders = Readonly<Record<string, string | string[]>>;

/**
 * A failed opening handshake, in the {@link WebSocketError} family (`closeCode` 1006:
 * the connection never opened, RFC 6455 §7.1.5).
 *
 * Server side, `statusCode` is the HTTP status to answer with (400, 426, 431, 408,
 * 500) and `headers` the extra response headers (e.g. `Sec-WebSocket-Version: 13`
 * with 426); `buildErrorResponse` / `rejectSocket` use both.
 *
 * Client side, `statusCode` is the status the server answered with (101 when the
 * server switched protocols but its response was invalid, 0 when no HTTP response came),
 * `statusMessage` its reason phrase and `body` the start of its response body, which
 * usually says why.
 */
export class HandshakeError extends WebSocketError {
  declare readonly code: HandshakeErrorCode;
  readonly statusCode: number;
  readonly headers: HandshakeErrorHeaders | undefined;
  readonly statusMessage: string;
  readonly body: string;

  constructor(
    statusCode: number,
    code: HandshakeErrorCode,
    message: string,
    options: { headers?: HandshakeErrorHeaders; cause?: unknown; statusMessage?: string; body?: string } = {},
  ) {
    super(code, CloseCode.ABNORMAL, message, options);
    this.name = 'HandshakeError';
    this.statusCode = statusCode;
    this.headers = options.headers;
    this.statusMessage = options.statusMessage ?? '';
    this.body = options.body ?? '';
  }
}
brand(HandshakeError, 'HandshakeError');
