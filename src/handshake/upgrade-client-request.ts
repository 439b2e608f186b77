import { generateKey } from './accept-key.js';
import { WEBSOCKET_VERSION } from './constants.js';
import type { Extension } from '../extensions/extension.js';
import { offerExtensions } from './extension-negotiation.js';
import { formatExtensions } from './extensions.js';
import { assertHeader, isToken, type OutgoingHttpHeaders } from './http-syntax.js';

export interface UpgradeRequestOptions {
  /** Subprotocols to offer, most preferred first (RFC 6455 §4.1 (10)). */
  readonly protocols?: string | readonly string[] | undefined;
  /** Extra request headers. They may not repeat the handshake's own headers. */
  readonly headers?: OutgoingHttpHeaders | undefined;
  /** The Origin header (RFC 6455 §4.1 (8)); browsers always send one. */
  readonly origin?: string | undefined;
  /** The extensions to offer, in order of preference (`permessageDeflate()` is one). */
  readonly extensions?: readonly Extension[] | undefined;
}

/** A client's upgrade request, and what {@link validateUpgradeResponse} checks against. */
export interface UpgradeRequest {
  /** The Sec-WebSocket-Key sent. */
  readonly key: string;
  /** The request target: path and query of the URL (RFC 6455 §3 "resource name"). */
  readonly path: string;
  /** Headers for `node:http.request` (Host included); an array sends one line per value. */
  readonly headers: Record<string, string | string[]>;
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
  /** The Sec-WebSocket-Extensions value sent, if any. */
  readonly extensions: string | undefined;
  /** The extensions offered, for {@link validateUpgradeResponse} to hand their responses to. */
  readonly offeredExtensions: readonly Extension[];
}

/** Request headers that the handshake owns; setting them via `headers` is refused. */
export const HANDSHAKE_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

const SCHEMES = new Set(['ws:', 'wss:', 'http:', 'https:']);

/**
 * Client side, RFC 6455 §4.1: the opening handshake request for `url` — a fresh
 * random 16-byte key and the headers to pass to `node:http.request` /
 * `https.request` with `path` and the URL's host and port. The fragment, if any, is
 * not sent (RFC 6455 §3 forbids fragments in WebSocket URIs). Credentials in the URL
 * (`ws://user:pass@host/`) are sent as `Authorization: Basic` (as `ws` does), never in
 * the request target; an `Authorization` in `headers` takes precedence.
 *
 * @throws TypeError for a scheme other than ws/wss/http/https, a subprotocol that is
 *   not a token or is repeated, an extension offer that is not made of tokens, an
 *   invalid header value (CR/LF injection), or an extra header that repeats one of
 *   {@link HANDSHAKE_REQUEST_HEADERS}.
 */
export function buildUpgradeRequest(url: URL | string, options: UpgradeRequestOptions = {}): UpgradeRequest {
  const target = typeof url === 'string' ? new URL(url) : url;
  if (!SCHEMES.has(target.protocol)) throw new TypeError(`Unsupported URL scheme "${target.protocol}"`);

  const protocols = typeof options.protocols === 'string' ? [options.protocols] : [...(options.protocols ?? [])];
  const seen = new Set<string>();
  for (const protocol of protocols) {
    // RFC 6455 §4.1 (10): tokens, all unique.
    if (!isToken(protocol)) throw new TypeError(`Invalid subprotocol ${JSON.stringify(protocol)}`);
    if (seen.has(protocol)) throw new TypeError(`Subprotocol "${protocol}" is offered twice`);
    seen.add(protocol);
  }

  const offeredExtensions = options.extensions ?? [];
  const offers = offerExtensions(offeredExtensions);

  const key = generateKey();
  const headers: Record<string, string | string[]> = {
    Host: target.host, // URL.host omits the scheme's default port, as RFC 6455 §4.1 (4) asks
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': String(WEBSOCKET_VERSION),
  };
  if (protocols.length > 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
  const extensions = offers.length > 0 ? formatExtensions(offers) : undefined;
  if (extensions !== undefined) headers['Sec-WebSocket-Extensions'] = extensions;
  if (options.origin !== undefined) {
    assertHeader('Origin', options.origin);
    headers['Origin'] = options.origin;
  }
  const authorization = basicAuthorization(target);
  if (authorization !== undefined) headers['Authorization'] = authorization; // an Authorization in `headers` replaces it
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (HANDSHAKE_REQUEST_HEADERS.has(lower)) throw new TypeError(`Header "${name}" is set by the handshake itself`);
    const values: readonly string[] = typeof value === 'string' ? [value] : value;
    for (const v of values) assertHeader(name, v);
    // Replace a default of the same name in any case (e.g. a user "host" or "origin").
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === lower) delete headers[existing];
    }
    headers[name] = typeof value === 'string' ? value : [...values];
  }

  return {
    key,
    path: (target.pathname || '/') + target.search,
    headers,
    protocols,
    extensions,
    offeredExtensions,
  };
}

/**
 * `Authorization: Basic` (RFC 7617) for the URL's credentials (a proxy URL's too, as
 * Proxy-Authorization), if it has any: user and
 * password percent-decoded to bytes (the URL keeps them percent-encoded), joined by ':'.
 */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const credentials = Buffer.concat([percentDecode(url.username), Buffer.from(':'), percentDecode(url.password)]);
  return `Basic ${credentials.toString('base64')}`;
}

/** WHATWG URL "percent-decode": %XX becomes the byte; anything else (a stray '%' too) stays as UTF-8. */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]!) && isHex(bytes[i + 2]!)) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}
