import { HandshakeError } from './handshake-error.js';
import { isToken, splitList } from './http-syntax.js';

/**
 * RFC 6455 §4.1 (10) / §11.3.4: Sec-WebSocket-Protocol is a list of subprotocol
 * names, each a token (U+0021..U+007E minus separators) and all unique.
 * Returns the names in the client's order of preference.
 *
 * @throws HandshakeError (400, WS_ERR_HANDSHAKE_BAD_PROTOCOL) for a non-token name,
 *   a repeated name, or a header with no name in it.
 */
export function parseProtocols(header: string): string[] {
  const names = splitList(header);
  if (names.length === 0) {
    throw new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL', 'Invalid Sec-WebSocket-Protocol header: empty list');
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!isToken(name)) {
      throw new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL', 'Invalid Sec-WebSocket-Protocol header: a name is not a token');
    }
    if (seen.has(name)) {
      throw new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL', 'Invalid Sec-WebSocket-Protocol header: a name is repeated');
    }
    seen.add(name);
  }
  return names;
}

/**
 * Picks a subprotocol from the offered ones. Called only when the client offered at
 * least one; returns the chosen name, or `false` / `undefined` / `''` for none.
 */
export type ProtocolChooser<R = unknown> = (offered: ReadonlySet<string>, req: R) => string | false | undefined;

/**
 * RFC 6455 §4.2.2 (5.4): the server answers with at most one subprotocol, and only one
 * that the client offered.
 *
 * - `choose` undefined: the client's first (most preferred) protocol, as `ws` does —
 *   the `ws` client fails a handshake that offered protocols and got none back.
 * - `choose` an array: the server's supported protocols; the first protocol in the
 *   client's order that the server supports, or none.
 * - `choose` a function: its answer; it is called only when something was offered.
 *
 * Returns the protocol to send, or `undefined` for no Sec-WebSocket-Protocol header.
 *
 * @throws HandshakeError (500, WS_ERR_HANDSHAKE_PROTOCOL_NOT_OFFERED) when the
 *   function returns a protocol the client did not offer: a server bug, answered as
 *   an internal error rather than sending a response the client must fail.
 */
export function selectProtocol<R = unknown>(
  offered: readonly string[],
  choose?: ProtocolChooser<R> | readonly string[],
  req?: R,
): string | undefined {
  if (offered.length === 0) return undefined;
  if (choose === undefined) return offered[0];
  if (typeof choose !== 'function') {
    const supported = new Set(choose);
    return offered.find((name) => supported.has(name));
  }
  const set: ReadonlySet<string> = new Set(offered);
  const chosen = choose(set, req as R);
  if (chosen === undefined || chosen === false || chosen === '') return undefined;
  if (!set.has(chosen)) {
    throw new HandshakeError(
      500,
      'WS_ERR_HANDSHAKE_PROTOCOL_NOT_OFFERED',
      'The server selected a subprotocol that the client did not offer',
    );
  }
  return chosen;
}
