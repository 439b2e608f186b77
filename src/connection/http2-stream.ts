/**
 * What a Connection needs of an HTTP/2 stream (RFC 8441 §5) beyond being a Duplex: the
 * stream's end is the WebSocket's TCP close (END_STREAM both ways, which `end()` and the
 * peer's end already give), an abnormal end is RST_STREAM with CANCEL, and the peer's
 * address is its session's. And what a session's GOAWAY means to the WebSockets on it.
 */
import { constants, type Http2Session, type Http2Stream } from 'node:http2';
import { CloseCode } from '../close-codes.js';
import type { Role } from '../transforms/records.js';
import type { Connection } from './connection.js';
import { ReadyState } from './ready-state.js';

/**
 * Prepares `stream` to carry a Connection: `destroy()` (what `terminate()`, the close
 * timeout and a protocol error's grace end with) resets the stream with CANCEL — RFC 8441
 * §5: "RST exceptions are represented with a stream error of type CANCEL" — where Node
 * would send NO_ERROR; `remoteAddress` and `remotePort` are those of the session's socket.
 *
 * A server closes the whole stream once it has ended its side, as it closes the TCP
 * connection first on HTTP/1.1 (RFC 6455 §7.1.1): it ends only after the close frames
 * were exchanged (or the connection failed), and some clients (undici 7) never send
 * END_STREAM of their own. RST_STREAM with NO_ERROR after a complete response is how
 * HTTP/2 says "stop sending" (RFC 9113 §8.1); Node sends it after the pending data.
 */
export function adoptHttp2Stream<S extends Http2Stream>(stream: S, role: Role): S {
  if (role === 'server') {
    stream.once('finish', () => {
      if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
    });
  }
  const destroy = stream.destroy;
  Object.defineProperties(stream, {
    destroy: {
      configurable: true,
      value(this: Http2Stream, error?: Error) {
        if (!this.closed && !this.destroyed) this.close(constants.NGHTTP2_CANCEL);
        return destroy.call(this, error);
      },
    },
    remoteAddress: { configurable: true, get: () => stream.session?.socket?.remoteAddress },
    remotePort: { configurable: true, get: () => stream.session?.socket?.remotePort },
  });
  return stream;
}

/** The open Connections on each session, for its GOAWAY. */
const onSession = new WeakMap<Http2Session, Set<Connection>>();

/**
 * Counts `connection` as one of `session`'s. When the peer sends GOAWAY (RFC 9113 §6.8:
 * it is shutting the connection down), every WebSocket on the session is closed with
 * 1001 (going away), so that the session can end once their close handshakes are over.
 */
export function trackOnSession(session: Http2Session, connection: Connection): void {
  let connections = onSession.get(session);
  if (!connections) {
    const set = new Set<Connection>();
    connections = set;
    onSession.set(session, set);
    session.once('goaway', () => {
      for (const open of set) if (open.readyState === ReadyState.OPEN) open.close(CloseCode.GOING_AWAY, 'HTTP/2 session going away');
    });
  }
  const set = connections;
  set.add(connection);
  connection.once('close', () => set.delete(connection));
}
