import { HandshakeError } from '../handshake/handshake-error.js';

/** The path of a request target, without its query: what a WebSocket server's `path` is compared with. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The refusal of an upgrade to a path no WebSocket server here serves. */
export function notFound(path: string): HandshakeError {
  return new HandshakeError(404, 'WS_ERR_HANDSHAKE_REFUSED', `No WebSocket endpoint at ${path}`);
}
