/** RFC 6455 §1.3 / §4.2.2: the GUID appended to Sec-WebSocket-Key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §4.1 / §4.2.1: the only protocol version this library speaks. */
export const WEBSOCKET_VERSION = 13;

/** RFC 6455 §4.1: the Sec-WebSocket-Key nonce is 16 random bytes, base64-encoded. */
export const KEY_BYTES = 16;

/**
 * Default limit on the bytes of a request head (request line, header lines and the
 * blank line). 16 KiB is Node's own default (--max-http-header-size) and is far
 * above what browsers send; it bounds what one unauthenticated socket costs.
 */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/**
 * Default limit on the number of header lines. Real upgrade requests carry ~10-20;
 * 100 leaves room for proxies while bounding per-header bookkeeping.
 */
export const DEFAULT_MAX_HEADER_COUNT = 100;

/**
 * Default time allowed for a whole request head to arrive on a bare socket. A total
 * (not idle) timeout stops slowloris-style clients that trickle one byte at a time.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * After writing an error response, how long to wait for the peer to close before
 * destroying the socket: long enough for the response to be read (closing with
 * unread input would send a TCP RST that can drop it), short enough not to let a
 * rejected client hold the socket.
 */
export const REJECT_LINGER_MS = 1_000;
