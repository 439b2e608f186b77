import { isValidKey } from './accept-key.js';
import { WEBSOCKET_VERSION } from './constants.js';
import { parseExtensions, type ExtensionOffer } from './extensions.js';
import { HandshakeError } from './handshake-error.js';
import { listHasToken, listHeader, type HttpHeaders } from './http-syntax.js';
import { parseProtocols } from './subprotocol.js';

/** The parts of an HTTP request the server-side checks need (node:http's `req` fits). */
export interface UpgradeRequestLike {
  readonly method?: string | undefined;
  readonly httpVersion: string;
  readonly headers: HttpHeaders;
}

/** What a valid upgrade request asks for. */
export interface UpgradeRequestInfo {
  /** Sec-WebSocket-Key, to answer with `acceptKey(key)`. */
  readonly key: string;
  readonly version: typeof WEBSOCKET_VERSION;
  readonly host: string;
  /** The Origin header (RFC 6455 §4.2.1 (8), §10.2), if any. */
  readonly origin: string | undefined;
  /** Offered subprotocols, most preferred first (empty when none). */
  readonly protocols: readonly string[];
  /** Offered extensions, in the client's order (empty when none). */
  readonly extensions: readonly ExtensionOffer[];
}

function bad(code: ConstructorParameters<typeof HandshakeError>[1], message: string): HandshakeError {
  // RFC 6455 §4.2.1: a request that does not match "MUST" get an error such as 400.
  return new HandshakeError(400, code, message);
}

/**
 * Server side, RFC 6455 §4.2.1: checks an opening handshake request and returns what
 * it asks for. Checks, in this order: method GET; HTTP/1.1 or later; a Host; an
 * Upgrade list with the token "websocket" and a Connection list with "upgrade"
 * (case-insensitive, e.g. `Connection: keep-alive, Upgrade` is fine);
 * Sec-WebSocket-Version 13; a Sec-WebSocket-Key that is strict base64 of 16 bytes;
 * a well-formed Sec-WebSocket-Protocol list and Sec-WebSocket-Extensions value.
 *
 * @throws HandshakeError — 426 with `Sec-WebSocket-Version: 13` for a missing or
 *   other version (RFC 6455 §4.2.2 / §4.4); 400 for everything else.
 */
export function validateUpgradeRequest(req: UpgradeRequestLike): UpgradeRequestInfo {
  const { headers } = req;

  if (req.method !== 'GET') throw bad('WS_ERR_HANDSHAKE_BAD_METHOD', 'Invalid HTTP method: the upgrade must be a GET');

  // RFC 6455 §4.2.1 (1): "An HTTP/1.1 or higher GET request".
  const version = /^(\d+)\.(\d+)$/.exec(req.httpVersion);
  const major = version ? Number(version[1]) : 0;
  const minor = version ? Number(version[2]) : 0;
  if (major < 1 || (major === 1 && minor < 1)) {
    throw bad('WS_ERR_HANDSHAKE_BAD_HTTP_VERSION', 'Invalid HTTP version: HTTP/1.1 or later is required');
  }

  const host = headers['host'];
  if (typeof host !== 'string' || host.trim() === '') {
    throw bad('WS_ERR_HANDSHAKE_MISSING_HOST', 'Missing or invalid Host header');
  }

  // RFC 6455 §4.2.1 (3), (4): Upgrade includes "websocket", Connection includes "Upgrade".
  if (!listHasToken(listHeader(headers, 'upgrade'), 'websocket')) {
    throw bad('WS_ERR_HANDSHAKE_BAD_UPGRADE', 'Missing or invalid Upgrade header: expected "websocket"');
  }
  if (!listHasToken(listHeader(headers, 'connection'), 'upgrade')) {
    throw bad('WS_ERR_HANDSHAKE_BAD_CONNECTION', 'Missing or invalid Connection header: expected "Upgrade"');
  }

  assertVersion(headers);

  // RFC 6455 §4.2.1 (5): base64 of a 16-byte value (a repeated header is an array, or
  // "a, b" when Node joined it; both fail here).
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || !isValidKey(key)) {
    throw bad('WS_ERR_HANDSHAKE_BAD_KEY', 'Missing or invalid Sec-WebSocket-Key: expected base64 of 16 bytes');
  }

  const { protocols, extensions, origin } = requestedOffers(headers);
  return { key, version: WEBSOCKET_VERSION, host, origin, protocols, extensions };
}

/**
 * RFC 6455 §4.2.2 / §4.4 (and RFC 8441 §5, which keeps the header): an unsupported
 * version is answered with 426 and the versions we do support.
 */
export function assertVersion(headers: HttpHeaders): void {
  if (headers['sec-websocket-version'] !== String(WEBSOCKET_VERSION)) {
    throw new HandshakeError(426, 'WS_ERR_HANDSHAKE_BAD_VERSION', 'Unsupported or missing Sec-WebSocket-Version: 13 is required', {
      headers: { 'Sec-WebSocket-Version': String(WEBSOCKET_VERSION) },
    });
  }
}

/** What a request offers, the same over HTTP/1.1 and HTTP/2: subprotocols, extensions, and its Origin. */
export function requestedOffers(headers: HttpHeaders): Pick<UpgradeRequestInfo, 'protocols' | 'extensions' | 'origin'> {
  const protocolHeader = listHeader(headers, 'sec-websocket-protocol');
  const protocols = protocolHeader === undefined ? [] : parseProtocols(protocolHeader);
  const extensionHeader = listHeader(headers, 'sec-websocket-extensions');
  const extensions = extensionHeader === undefined ? [] : parseExtensions(extensionHeader);
  return { protocols, extensions, origin: listHeader(headers, 'origin') };
}
