import type { Readable } from 'node:stream';
import { HandshakeError } from '../handshake/handshake-error.js';

/** How much of an error response's body a HandshakeError keeps: enough for a reason, bounded. */
export const MAX_ERROR_BODY_BYTES = 1024;

/**
 * The start of an HTTP error response's body (an IncomingMessage, or an HTTP/2 stream), as text: servers say there why they refused
 * the upgrade. Reads at most {@link MAX_ERROR_BODY_BYTES}, then stops; the caller's
 * handshake timeout bounds the wait, and the request is destroyed after.
 */
export function readErrorBody(response: Readable): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      response.off('data', onData);
      response.off('end', done);
      response.off('error', done);
      response.off('close', done);
      resolve(printable(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8')));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY_BYTES) done();
    };
    response.on('data', onData);
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

/** Control characters from the peer are not passed on raw (they could drive a terminal). */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A response other than the handshake's success: its status, reason phrase and what its body says. */
export function badStatus(status: number, statusMessage: string, body: string): HandshakeError {
  const said = body.trim() === '' || body.trim() === statusMessage ? '' : `: ${body.trim()}`;
  return new HandshakeError(status, 'WS_ERR_HANDSHAKE_BAD_STATUS', `Unexpected server response: ${status} ${statusMessage}${said}`.trimEnd(), {
    statusMessage,
    body,
  });
}
