import { STATUS_CODES } from 'node:http';
import { formatHeaderLines, type OutgoingHttpHeaders } from './http-syntax.js';

/** Headers that buildErrorResponse writes itself. */
const OWN_HEADERS = new Set(['connection', 'content-type', 'content-length']);

/**
 * A short, complete HTTP/1.1 error response: status line, `Connection: close`, a
 * plain-text body holding `reason`, and the given extra headers (e.g.
 * `Sec-WebSocket-Version: 13` with a 426). RFC 6455 §4.2.1: a request that is not a
 * valid handshake gets "an HTTP response with an appropriate error code".
 *
 * @throws RangeError for a status outside 400..599; TypeError for an invalid header
 *   (CR/LF injection) or one that repeats Connection / Content-Type / Content-Length.
 */
export function buildErrorResponse(status: number, reason: string, headers?: OutgoingHttpHeaders): string {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`Invalid error status ${status}`);
  }
  const body = reason;
  let head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  if (headers !== undefined) {
    for (const name of Object.keys(headers)) {
      if (OWN_HEADERS.has(name.toLowerCase())) throw new TypeError(`Header "${name}" is set by the error response itself`);
    }
    head += formatHeaderLines(headers);
  }
  return `${head}\r\n${body}`;
}
