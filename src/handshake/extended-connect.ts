/**
 * The WebSocket opening handshake over HTTP/2 (RFC 8441), both roles, as pure functions
 * over header records (node:http2's, pseudo-headers included).
 *
 * RFC 8441 §4: a CONNECT request with a `:protocol` pseudo-header (and, unlike a plain
 * CONNECT, `:scheme` and `:path`), allowed only once the server has sent
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (§3). §5: `:protocol` is "websocket"; Origin,
 * Sec-WebSocket-Version, -Protocol and -Extensions mean what they mean in RFC 6455 §4;
 * Sec-WebSocket-Key and -Accept are not used (the stream replaces what they protect),
 * nor are Upgrade and Connection (HTTP/2 has neither); success is 200, not 101.
 */
import { acceptKey, isValidKey } from './accept-key.js';
import { HANDSHAKE_RESPONSE_HEADERS } from './accept-response.js';
import { WEBSOCKET_VERSION } from './constants.js';
import type { ExtensionOffer } from './extensions.js';
import { HandshakeError } from './handshake-error.js';
import { assertHeader, isToken, type HttpHeaders, type OutgoingHttpHeaders } from './http-syntax.js';
import { acceptNegotiation, type SentUpgradeRequest, type UpgradeResponseInfo, type UpgradeResponseLike } from './upgrade-client-response.js';
import { buildUpgradeRequest, type UpgradeRequest, type UpgradeRequestOptions } from './upgrade-client-request.js';
import { assertVersion, requestedOffers } from './upgrade-request.js';

/** RFC 8441 §5: the `:protocol` of a WebSocket. */
export const WEBSOCKET_PROTOCOL_TOKEN = 'websocket';

/** Header records for node:http2: lower-case names, pseudo-headers first. */
export type Http2HeaderRecord = Record<string, string | string[] | number>;

/** What a valid extended CONNECT asks for. */
export interface ExtendedConnectInfo {
  /** `:scheme`: "https" for wss:// and "http" for ws:// (RFC 8441 §5). */
  readonly scheme: 'http' | 'https';
  /** `:authority`: the host (and port) of the WebSocket URI. */
  readonly authority: string;
  /** `:path`: the path and query of the WebSocket URI. */
  readonly path: string;
  readonly origin: string | undefined;
  /** Offered subprotocols, most preferred first (empty when none). */
  readonly protocols: readonly string[];
  /** Offered extensions, in the client's order (empty when none). */
  readonly extensions: readonly ExtensionOffer[];
  /**
   * A valid Sec-WebSocket-Key the client sent although RFC 8441 §5 does not use it, or
   * undefined. undici 7's experimental HTTP/2 client sends one and fails the handshake
   * unless the 200 carries the matching Sec-WebSocket-Accept, so a server answers it.
   */
  readonly key: string | undefined;
}

/** Whether a request is an extended CONNECT for a WebSocket (RFC 8441 §4, §5). */
export function isWebSocketConnect(headers: HttpHeaders): boolean {
  const protocol = headers[':protocol'];
  return headers[':method'] === 'CONNECT' && typeof protocol === 'string' && protocol.toLowerCase() === WEBSOCKET_PROTOCOL_TOKEN;
}

/**
 * Server side, RFC 8441 §4–5: checks an extended CONNECT and returns what it asks for.
 * Checks, in this order: `:method` CONNECT with `:protocol` websocket; `:scheme` http or
 * https; `:path` an origin-form target; an `:authority`; Sec-WebSocket-Version 13; a
 * well-formed Sec-WebSocket-Protocol list and Sec-WebSocket-Extensions value.
 *
 * @throws HandshakeError — 426 with `sec-websocket-version: 13` for another version; 400
 *   for everything else.
 */
export function validateExtendedConnectRequest(headers: HttpHeaders): ExtendedConnectInfo {
  if (headers[':method'] !== 'CONNECT') throw bad('WS_ERR_HANDSHAKE_BAD_METHOD', 'Invalid :method: a WebSocket over HTTP/2 is an extended CONNECT');
  if (!isWebSocketConnect(headers)) throw bad('WS_ERR_HANDSHAKE_BAD_UPGRADE', 'Missing or invalid :protocol: expected "websocket"');
  const scheme = headers[':scheme'];
  if (scheme !== 'https' && scheme !== 'http') throw bad('WS_ERR_HANDSHAKE_BAD_PSEUDO_HEADER', 'Invalid :scheme: expected "https" or "http"');
  const path = headers[':path'];
  if (typeof path !== 'string' || !path.startsWith('/')) throw bad('WS_ERR_HANDSHAKE_BAD_PSEUDO_HEADER', 'Invalid :path: expected a path starting with "/"');
  const authority = headers[':authority'];
  if (typeof authority !== 'string' || authority.trim() === '') throw bad('WS_ERR_HANDSHAKE_MISSING_HOST', 'Missing :authority');
  assertVersion(headers);
  const key = headers['sec-websocket-key'];
  return { scheme, authority, path, ...requestedOffers(headers), key: typeof key === 'string' && isValidKey(key) ? key : undefined };
}

function bad(code: ConstructorParameters<typeof HandshakeError>[1], message: string): HandshakeError {
  return new HandshakeError(400, code, message);
}

export interface ExtendedConnectResponseOptions {
  /** The selected subprotocol, if any. */
  readonly protocol?: string | undefined;
  /** The Sec-WebSocket-Extensions value to send, if any. */
  readonly extensions?: string | undefined;
  /** A Sec-WebSocket-Key the client sent anyway ({@link ExtendedConnectInfo.key}): answered with its Sec-WebSocket-Accept. */
  readonly key?: string | undefined;
  /** Extra headers (Set-Cookie...). They may not repeat the handshake's own headers, nor be connection-specific. */
  readonly headers?: OutgoingHttpHeaders | undefined;
}

/** RFC 9113 §8.2.2: connection-specific header fields are malformed in HTTP/2. */
const CONNECTION_SPECIFIC_HEADERS: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * Server side, RFC 8441 §5: the headers of the 200 that accepts the WebSocket, for
 * `stream.respond()`.
 *
 * @throws TypeError when the protocol is not a token, or an extra header is invalid,
 *   belongs to the handshake, or is connection-specific.
 */
export function buildExtendedConnectResponse(options: ExtendedConnectResponseOptions = {}): Http2HeaderRecord {
  const headers: Http2HeaderRecord = { ':status': 200 };
  if (options.protocol !== undefined) {
    if (!isToken(options.protocol)) throw new TypeError(`Invalid subprotocol ${JSON.stringify(options.protocol)}`);
    headers['sec-websocket-protocol'] = options.protocol;
  }
  if (options.extensions !== undefined && options.extensions !== '') {
    assertHeader('Sec-WebSocket-Extensions', options.extensions);
    headers['sec-websocket-extensions'] = options.extensions;
  }
  if (options.key !== undefined) headers['sec-websocket-accept'] = acceptKey(options.key);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (HANDSHAKE_RESPONSE_HEADERS.has(lower)) throw new TypeError(`Header "${name}" is set by the handshake itself`);
    if (CONNECTION_SPECIFIC_HEADERS.has(lower)) throw new TypeError(`Header "${name}" is connection-specific and not allowed in HTTP/2`);
    const values: readonly string[] = typeof value === 'string' ? [value] : value;
    for (const v of values) assertHeader(name, v);
    headers[lower] = typeof value === 'string' ? value : [...values];
  }
  return headers;
}

/** A client's extended CONNECT request, and what {@link validateExtendedConnectResponse} checks against. */
export interface ExtendedConnectRequest extends Omit<UpgradeRequest, 'key' | 'headers'> {
  /** Headers for `session.request()`, pseudo-headers included. */
  readonly headers: Http2HeaderRecord;
}

/** HTTP/1.1 request headers with no place in RFC 8441's request: the Host becomes `:authority`. */
const NOT_IN_EXTENDED_CONNECT: ReadonlySet<string> = new Set(['host', 'sec-websocket-key', ...CONNECTION_SPECIFIC_HEADERS]);

/**
 * Client side, RFC 8441 §5: the extended CONNECT for `url`, with the same checks and
 * headers as {@link buildUpgradeRequest} (subprotocols, extension offers, Origin, URL
 * credentials as Authorization, extra headers), less those HTTP/2 replaces or forbids.
 *
 * @throws TypeError as {@link buildUpgradeRequest} does.
 */
export function buildExtendedConnectRequest(url: URL | string, options: UpgradeRequestOptions = {}): ExtendedConnectRequest {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { key: _unused, headers: http1, ...request } = buildUpgradeRequest(target, options);
  const host = Object.entries(http1).find(([name]) => name.toLowerCase() === 'host')?.[1];
  const headers: Http2HeaderRecord = {
    ':method': 'CONNECT',
    ':protocol': WEBSOCKET_PROTOCOL_TOKEN,
    ':scheme': target.protocol === 'wss:' || target.protocol === 'https:' ? 'https' : 'http',
    ':path': request.path,
    ':authority': typeof host === 'string' ? host : target.host, // a Host given in `headers` replaces the URL's, as on HTTP/1.1
    'sec-websocket-version': String(WEBSOCKET_VERSION),
  };
  for (const [name, value] of Object.entries(http1)) {
    const lower = name.toLowerCase();
    if (!NOT_IN_EXTENDED_CONNECT.has(lower) && lower !== 'sec-websocket-version') headers[lower] = value;
  }
  return { ...request, headers };
}

/**
 * Client side, RFC 8441 §5: status 200, then RFC 6455 §4.1 (5) and (6) as on HTTP/1.1
 * (only offered extensions, a subprotocol among those offered). No Upgrade, Connection
 * or Sec-WebSocket-Accept is expected.
 *
 * @throws HandshakeError whose `statusCode` is the server's status.
 */
export function validateExtendedConnectResponse(response: UpgradeResponseLike, request: Omit<SentUpgradeRequest, 'key'>): UpgradeResponseInfo {
  const status = response.statusCode ?? 0;
  if (status !== 200) throw new HandshakeError(status, 'WS_ERR_HANDSHAKE_BAD_STATUS', `Unexpected server response: ${status}`);
  return acceptNegotiation(response, request);
}
