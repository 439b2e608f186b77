import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_COUNT } from './constants.js';
import { HandshakeError } from './handshake-error.js';
import { isToken } from './http-syntax.js';

/** A parsed HTTP/1.x request head, shaped like node:http's IncomingMessage fields. */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent (decoded as latin1, like Node). */
  readonly url: string;
  /** e.g. "1.1" */
  readonly httpVersion: string;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  /** Lower-case names (a null-prototype object); repeated headers joined like Node. */
  readonly headers: Record<string, string | string[]>;
  /** Names and values as received, alternating, like Node's `rawHeaders`. */
  readonly rawHeaders: readonly string[];
}

export type RequestHeadResult =
  | { readonly done: false }
  | { readonly done: true; readonly request: RequestHead; readonly head: Buffer };

export interface RequestHeadLimits {
  /** Bytes of request line + headers + blank line; more → 431. Default 16 KiB. */
  readonly maxHeaderBytes?: number | undefined;
  /** Header lines; more → 431. Default 100. */
  readonly maxHeaderCount?: number | undefined;
}

// Node keeps the first of these when repeated (and drops the rest); see
// IncomingMessage#_addHeaderLine. Host is handled apart: a repeat is an error.
const FIRST_WINS = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

// RFC 7230 §3.1.1: request-line = method SP request-target SP HTTP-version CRLF.
// The target is visible ASCII or obs-text (no spaces, no controls).
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e\x80-\xff]+) HTTP\/(\d)\.(\d)$/;
// RFC 7230 §3.2: field-value = *( VCHAR / obs-text / SP / HTAB ).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const LF = 0x0a;
const CR = 0x0d;

function malformed(message: string): HandshakeError {
  return new HandshakeError(400, 'WS_ERR_HANDSHAKE_MALFORMED_REQUEST', `Bad request: ${message}`);
}

/**
 * An incremental, strict HTTP/1.x request-head parser for bare sockets: `feed()` it
 * chunks until it returns `{ done: true }`, with the parsed head and the bytes that
 * followed the blank line (`head`: a client may send its first frame at once).
 *
 * Strict on purpose (it faces the network before any authentication, and lenient
 * parsing is what request-smuggling attacks exploit):
 * - lines must end with CRLF; a bare LF or a stray CR is a 400 (RFC 7230 §3.5 allows,
 *   but does not require, accepting bare LF);
 * - obs-fold (a line starting with SP/HTAB) is a 400 (RFC 7230 §3.2.4);
 * - header names are tokens with no space before the colon (RFC 7230 §3.2.4: 400);
 * - values may hold only VCHAR, obs-text, SP and HTAB; surrounding SP/HTAB is trimmed;
 * - empty lines before the request line are skipped (RFC 7230 §3.5 SHOULD);
 * - a repeated Host is a 400 (RFC 7230 §5.4); other repeats follow Node: the first of
 *   a few single-valued headers wins, `set-cookie` becomes an array, `cookie` is
 *   joined with "; ", all others with ", ".
 * Limits: more than `maxHeaderBytes` bytes in the head, or more than `maxHeaderCount`
 * header lines, is a 431, detected as soon as it is exceeded.
 *
 * Errors are thrown as HandshakeError; after an error or completion the parser must
 * not be fed again.
 */
export class RequestHeadParser {
  readonly #maxHeaderBytes: number;
  readonly #maxHeaderCount: number;
  /** Pieces of the line being received (no LF seen yet). */
  #partial: Buffer[] = [];
  #partialLength = 0;
  /** Bytes of complete lines consumed so far. */
  #consumed = 0;
  #requestLine: { method: string; url: string; major: number; minor: number } | undefined;
  readonly #headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  readonly #rawHeaders: string[] = [];
  #finished = false;

  constructor(limits: RequestHeadLimits = {}) {
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.#maxHeaderCount = limits.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT;
  }

  /** Consumes a chunk. Throws HandshakeError on malformed input or a limit. */
  feed(chunk: Buffer): RequestHeadResult {
    if (this.#finished) throw new Error('RequestHeadParser: the request head is already complete (or failed)');
    try {
      return this.#feed(chunk);
    } catch (error) {
      this.#finished = true;
      this.#partial = [];
      throw error;
    }
  }

  #feed(chunk: Buffer): RequestHeadResult {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf + 1;
      if (this.#consumed + this.#partialLength + (end - start) > this.#maxHeaderBytes) {
        throw new HandshakeError(431, 'WS_ERR_HANDSHAKE_HEADERS_TOO_LARGE', 'Request header fields too large');
      }
      if (lf === -1) {
        this.#partial.push(chunk.subarray(start));
        this.#partialLength += chunk.length - start;
        return { done: false };
      }
      let line = chunk.subarray(start, lf + 1);
      if (this.#partialLength > 0) {
        line = Buffer.concat([...this.#partial, line]);
        this.#partial = [];
        this.#partialLength = 0;
      }
      this.#consumed += line.length;
      start = lf + 1;
      if (this.#line(line)) {
        this.#finished = true;
        return { done: true, request: this.#request(), head: chunk.subarray(start) };
      }
    }
    return { done: false };
  }

  /** Handles one complete line (ending in LF). Returns true at the blank line ending the head. */
  #line(bytes: Buffer): boolean {
    if (bytes.length < 2 || bytes[bytes.length - 2] !== CR) throw malformed('line not terminated by CRLF');
    const line = bytes.toString('latin1', 0, bytes.length - 2);
    if (line.includes('\r')) throw malformed('stray CR');

    if (this.#requestLine === undefined) {
      if (line === '') return false; // RFC 7230 §3.5: ignore empty lines before the request line
      const match = REQUEST_LINE.exec(line);
      if (match === null) throw malformed('invalid request line');
      this.#requestLine = { method: match[1]!, url: match[2]!, major: Number(match[3]), minor: Number(match[4]) };
      return false;
    }

    if (line === '') return true;
    if (line[0] === ' ' || line[0] === '\t') throw malformed('obsolete line folding');
    const colon = line.indexOf(':');
    const rawName = colon === -1 ? '' : line.slice(0, colon);
    if (!isToken(rawName)) throw malformed('invalid header name');
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!FIELD_VALUE.test(value)) throw malformed('invalid character in a header value');
    if (this.#rawHeaders.length / 2 >= this.#maxHeaderCount) {
      throw new HandshakeError(431, 'WS_ERR_HANDSHAKE_TOO_MANY_HEADERS', 'Too many request header fields');
    }
    this.#rawHeaders.push(rawName, value);
    this.#add(rawName.toLowerCase(), value);
    return false;
  }

  #add(name: string, value: string): void {
    const headers = this.#headers;
    const existing = headers[name];
    if (existing === undefined) {
      headers[name] = name === 'set-cookie' ? [value] : value;
    } else if (name === 'host') {
      throw malformed('more than one Host header'); // RFC 7230 §5.4
    } else if (name === 'set-cookie') {
      (existing as string[]).push(value);
    } else if (!FIRST_WINS.has(name)) {
      headers[name] = `${existing as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
  }

  #request(): RequestHead {
    const line = this.#requestLine!;
    return {
      method: line.method,
      url: line.url,
      httpVersion: `${line.major}.${line.minor}`,
      httpVersionMajor: line.major,
      httpVersionMinor: line.minor,
      headers: this.#headers,
      rawHeaders: this.#rawHeaders,
    };
  }
}
