import type { Agent } from 'node:http';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { CONNECTION_OPTIONS_SCHEMA, type ConnectionOptions } from '../connection/options.js';
import { isToken, type OutgoingHttpHeaders } from '../handshake/http-syntax.js';
import { EXTENSION_OPTIONS_SCHEMA, type ExtensionOptions } from '../extensions/resolve.js';
import { perMessageDeflateSchema } from '../transforms/deflate/parameters.js';
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
  extends Omit<ConnectionOptions, 'role' | 'protocol' | 'extensions' | 'extensionStages' | 'head' | 'transport'>,
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
};

export function validateConnectOptions(options: ConnectOptions): void {
  validateOptions(options, CONNECT_SCHEMA);
}
