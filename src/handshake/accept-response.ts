import { acceptKey } from './accept-key.js';
import { assertHeader, formatHeaderLines, isToken, type OutgoingHttpHeaders } from './http-syntax.js';

export interface AcceptResponseOptions {
  /** The client's Sec-WebSocket-Key. */
  readonly key: string;
  /** The selected subprotocol (from `selectProtocol`), if any. */
  readonly protocol?: string | undefined;
  /** The Sec-WebSocket-Extensions value to send (e.g. `DeflateAcceptance.header`). */
  readonly extensions?: string | undefined;
  /** Extra headers, e.g. Set-Cookie. They may not repeat the handshake's own headers. */
  readonly headers?: OutgoingHttpHeaders | undefined;
}

/** Headers that the handshake itself owns; setting them via `headers` is refused. */
export const HANDSHAKE_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

/**
 * RFC 6455 §4.2.2 (5): the complete `101 Switching Protocols` response head, with
 * `\r\n` line ends and the final blank line, ready to write to the socket.
 *
 * @throws TypeError when the protocol is not a token, a header name is not a token,
 *   a value contains CR, LF or another control character (header injection), or an
 *   extra header would repeat one of {@link HANDSHAKE_RESPONSE_HEADERS}.
 */
export function buildAcceptResponse(options: AcceptResponseOptions): string {
  let head =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptKey(options.key)}\r\n`;
  if (options.protocol !== undefined) {
    // RFC 6455 §4.2.2 (5.4): one protocol, a token the client offered.
    if (!isToken(options.protocol)) throw new TypeError(`Invalid subprotocol ${JSON.stringify(options.protocol)}`);
    head += `Sec-WebSocket-Protocol: ${options.protocol}\r\n`;
  }
  if (options.extensions !== undefined && options.extensions !== '') {
    assertHeader('Sec-WebSocket-Extensions', options.extensions);
    head += `Sec-WebSocket-Extensions: ${options.extensions}\r\n`;
  }
  if (options.headers !== undefined) {
    for (const name of Object.keys(options.headers)) {
      if (HANDSHAKE_RESPONSE_HEADERS.has(name.toLowerCase())) {
        throw new TypeError(`Header "${name}" is set by the handshake itself`);
      }
    }
    head += formatHeaderLines(options.headers);
  }
  return head + '\r\n';
}
