import type { Duplex } from 'node:stream';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './constants.js';
import { HandshakeError } from './handshake-error.js';
import { RequestHeadParser, type RequestHead, type RequestHeadLimits } from './request-head-parser.js';

export interface ReadUpgradeRequestOptions extends RequestHeadLimits {
  /** Milliseconds for the whole request head to arrive; then 408. Default 10 s. */
  readonly timeout?: number | undefined;
}

/** A request head read from a bare socket, plus the bytes that came after it. */
export interface UpgradeRequestHead extends RequestHead {
  /** Bytes after the blank line (possibly the client's first frame); may be empty. */
  readonly head: Buffer;
}

/**
 * Reads an HTTP/1.1 request head from a bare socket (no node:http), with the
 * {@link RequestHeadParser} limits and a total timeout.
 *
 * Resolves with the head and the bytes that followed it. Rejects with a
 * HandshakeError: 400/431 from the parser, 408 on timeout, 400
 * (WS_ERR_HANDSHAKE_SOCKET_CLOSED) if the socket ends, closes or errors first (the
 * socket error is the `cause`). It does not write to or close the socket: on
 * rejection, pass the error to `rejectSocket` right away.
 *
 * Either way, every listener and timer it added is removed before it settles. On
 * success the socket is left paused with any later bytes still buffered in it: the
 * next owner must attach its own `error` listener and `resume()` it (or pipe it),
 * and must process `head` before those bytes.
 */
export function readUpgradeRequest(socket: Duplex, options: ReadUpgradeRequestOptions = {}): Promise<UpgradeRequestHead> {
  return new Promise<UpgradeRequestHead>((resolve, reject) => {
    if (socket.destroyed || socket.readableEnded) {
      reject(new HandshakeError(400, 'WS_ERR_HANDSHAKE_SOCKET_CLOSED', 'The connection closed before the request head arrived'));
      return;
    }
    const parser = new RequestHeadParser(options);
    const timeout = options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;

    const cleanup = (): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onClosed);
      socket.removeListener('close', onClosed);
      socket.removeListener('error', onError);
    };
    const fail = (error: HandshakeError): void => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      let result;
      try {
        result = parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      } catch (error) {
        fail(error as HandshakeError);
        return;
      }
      if (!result.done) return;
      // Stop the flow before anything else is emitted, so later bytes stay in the socket.
      socket.pause();
      cleanup();
      resolve({ ...result.request, head: result.head });
    };
    const onClosed = (): void => {
      fail(new HandshakeError(400, 'WS_ERR_HANDSHAKE_SOCKET_CLOSED', 'The connection closed before the request head arrived'));
    };
    const onError = (error: Error): void => {
      fail(
        new HandshakeError(400, 'WS_ERR_HANDSHAKE_SOCKET_CLOSED', 'The connection failed before the request head arrived', {
          cause: error,
        }),
      );
    };
    const timer = setTimeout(() => {
      fail(new HandshakeError(408, 'WS_ERR_HANDSHAKE_TIMEOUT', 'The request head did not arrive in time'));
    }, timeout);

    socket.on('data', onData);
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    socket.on('error', onError);
    socket.resume();
  });
}
