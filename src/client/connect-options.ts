import type { Agent } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { CONNECTION_OPTIONS_SCHEMA, type ConnectionOptions } from '../connection/options.js';
import { isToken, type OutgoingHttpHeaders } from '../handshake/http-syntax.js';
import { EXTENSION_OPTIONS_SCHEMA, type ExtensionOptions } from '../extensions/resolve.js';
import { perMessageDeflateSchema } from '../transforms/deflate/parameters.js';
import { isProxyUrl, type ProxyOption } from './proxy.js';
import {
  arrayOf,
  boolean,
  bytes,
  either,
  func,
  integer,
  milliseconds,
  object,
  oneOf,
  rangeError,
  string,
  validateOptions,
  withMethods,
  type Schema,
} from '../validation/schema.js';

/** Opening handshake timeout by default: the same 10 s the server gives a client. */
export const DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Redirects followed at most, when following is asked for. */
export const DEFAULT_MAX_REDIRECTS = 10;

export interface ConnectOptions
  extends Omit<ConnectionOptions, 'role' | 'protocol' | 'extensions' | 'extensionStages' | 'head' | 'topics' | 'transport'>,
    ExtensionOptions,
    Pick<TlsConnectionOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername' | 'checkServerIdentity' | 'minVersion'> {
  /** Subprotocols to offer, most preferred first. */
  protocols?: string | readonly string[];
  /** Extra request headers (not the handshake's own). */
  headers?: OutgoingHttpHeaders;
  origin?: string;
  /** An http(s) Agent, e.g. for proxies or connection pooling. */
  agent?: Agent;
  /** Milliseconds for the whole opening handshake. Default 10 s. */
  handshakeTimeout?: number;
  signal?: AbortSignal;
  /** Follow HTTP redirects (3xx with Location). Default false. */
  followRedirects?: boolean;
  /** Default 10. */
  maxRedirects?: number;
  /**
   * WebSockets over HTTP/2 (RFC 8441). `true`: for wss:// URLs, offer h2 in TLS (ALPN) and,
   * when the server's SETTINGS allow extended CONNECT, open the WebSocket as a stream of an
   * HTTP/2 session shared by every `http2: true` connection to the same origin (with the
   * same TLS options and proxy), closed when its last WebSocket closes; otherwise the usual
   * HTTP/1.1 upgrade. A `ClientHttp2Session` of yours: open the stream on it (never closed
   * here), or fall back likewise. Default false.
   */
  http2?: boolean | ClientHttp2Session;
  /**
   * Tunnel through an HTTP proxy with CONNECT: `'http://user:pass@host:port'` (credentials
   * sent as Proxy-Authorization: Basic), or `'env'` to use HTTPS_PROXY / HTTP_PROXY /
   * NO_PROXY. wss:// stays TLS end to end with the target. Not with `agent`.
   */
  proxy?: ProxyOption;
}


/** PEM text or bytes, or a list of them (and, for keys, `{ pem, passphrase }` objects). */
const pem = either(string(), bytes, arrayOf(either(string(), bytes, object({}, 'a { pem, passphrase } object'))));

/** The checks of every `connect()` option, run at the call. */
export const CONNECT_SCHEMA: Schema = {
  ...CONNECTION_OPTIONS_SCHEMA,
  protocols: either(string(isToken, 'a subprotocol token'), arrayOf(string(isToken, 'a subprotocol token'))),
  headers: object({}, 'an object of header names and values'),
  origin: string(),
  agent: withMethods('an http.Agent', 'addRequest'),
  handshakeTimeout: milliseconds(1),
  signal: withMethods('an AbortSignal', 'addEventListener', 'removeEventListener'),
  perMessageDeflate: either(boolean, object(perMessageDeflateSchema('client'))),
  ...EXTENSION_OPTIONS_SCHEMA,
  followRedirects: boolean,
  maxRedirects: integer(0),
  ca: pem,
  cert: pem,
  key: pem,
  pfx: pem,
  passphrase: string(),
  rejectUnauthorized: boolean,
  servername: string(),
  checkServerIdentity: func,
  minVersion: oneOf(['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1']),
  http2: either(boolean, withMethods('a ClientHttp2Session', 'request', 'ping')),
  proxy: either(string(isProxyUrl, 'an http:// proxy URL or "env"'), {
    accepts: 'a URL',
    typeOk: (value) => value instanceof URL,
    check(value, path) {
      if (!isProxyUrl(value as URL)) throw rangeError(path, 'an http:// proxy URL', String(value));
    },
  }),
};

export function validateConnectOptions(options: ConnectOptions): void {
  validateOptions(options, CONNECT_SCHEMA);
  if (options.proxy !== undefined && options.agent !== undefined) throw new TypeError('Give one of the "proxy" and "agent" options, not both');
}

/** The TLS options `connect()` passes through to Node (https.request, tls.connect). */
export const TLS_OPTION_NAMES = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'checkServerIdentity', 'minVersion'] as const;

export type ClientTlsOptions = Pick<ConnectOptions, (typeof TLS_OPTION_NAMES)[number]>;

/**
 * The TLS options the caller set, and no others: an option given as `undefined` replaces
 * Node's default (checkServerIdentity: undefined breaks every TLS connection).
 */
export function tlsOptionsOf(options: ConnectOptions): ClientTlsOptions {
  const out: Record<string, unknown> = {};
  for (const name of TLS_OPTION_NAMES) if (options[name] !== undefined) out[name] = options[name];
  return out as ClientTlsOptions;
}
