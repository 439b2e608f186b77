import type { Duplex } from 'node:stream';
import { REJECT_LINGER_MS } from './constants.js';
import { buildErrorResponse } from './error-response.js';
import { HandshakeError } from './handshake-error.js';

function ignore(): void {}

/**
 * Answers a failed handshake on a bare socket and closes it: writes
 * `buildErrorResponse(status, message, headers)` from a HandshakeError (any other
 * error becomes a 500 without its message), ends the socket, keeps reading (and
 * discarding) input for up to {@link REJECT_LINGER_MS} so the peer can read the
 * response before the close, then destroys it.
 *
 * Never throws, even if the socket has already failed; later socket errors are
 * swallowed since the socket is being discarded.
 */
export function rejectSocket(socket: Duplex, error: unknown): void {
  socket.on('error', ignore);
  try {
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const isHandshake = error instanceof HandshakeError;
    const status = isHandshake ? error.statusCode : 500;
    let response: string;
    try {
      response = buildErrorResponse(status, isHandshake ? error.message : 'Internal Server Error', isHandshake ? error.headers : undefined);
    } catch {
      response = buildErrorResponse(500, 'Internal Server Error');
    }
    const timer = setTimeout(() => socket.destroy(), REJECT_LINGER_MS);
    timer.unref?.();
    socket.once('close', () => clearTimeout(timer));
    socket.resume(); // drain input: closing with unread data would reset the connection
    socket.end(response);
  } catch {
    try {
      socket.destroy();
    } catch {
      // nothing more can be done
    }
  }
}
