import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { assertStagePositions } from '../connection/chains.js';
import { Connection } from '../connection/connection.js';
import type { ConnectionOptions } from '../connection/options.js';
import {
  buildUpgradeRequest,
  HandshakeError,
  validateUpgradeResponse,
  type OutgoingHttpHeaders,
  type PerMessageDeflateOptions,
} from '../handshake/index.js';

/** Opening handshake timeout by default: the same 10 s the server gives a client. */
export const DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Redirects followed at most, when following is asked for. */
export const DEFAULT_MAX_REDIRECTS = 10;

export interface ConnectOptions
  extends Omit<ConnectionOptions, 'role' | 'protocol' | 'extensions' | 'deflate' | 'head'>,
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
  /** Offer permessage-deflate (default false). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Follow HTTP redirects (3xx with Location). Default false. */
  followRedirects?: boolean;
  /** Default 10. */
  maxRedirects?: number;
}

/**
 * Opens a WebSocket connection to a `ws://` or `wss://` URL (IPv6 literals included)
 * and resolves once the opening handshake succeeded (RFC 6455 §4.1). Rejects with a
 * HandshakeError (the server's status in `statusCode`), a timeout, an abort, or a
 * socket error.
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<Connection> {
  try {
    assertStagePositions(options.stages);
  } catch (error) {
    return Promise.reject(error);
  }
  return attempt(new URL(url), options, 0);
}

function attempt(url: URL, options: ConnectOptions, redirects: number): Promise<Connection> {
  return new Promise<Connection>((resolve, reject) => {
    const sent = buildUpgradeRequest(url, {
      protocols: options.protocols,
      headers: options.headers,
      origin: options.origin,
      perMessageDeflate: options.perMessageDeflate,
    });
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)({
      host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || (secure ? 443 : 80),
      path: sent.path,
      method: 'GET',
      headers: sent.headers,
      // An option given as `undefined` replaces Node's default (checkServerIdentity:
      // undefined breaks every TLS connection), so only the options the caller set go in.
      ...definedOnly(options, TLS_OPTION_NAMES),
      ...definedOnly(options, ['agent', 'signal'] as const),
    });
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error);
    };
    const timeout = options.handshakeTimeout ?? DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(() => fail(new HandshakeError(0, 'WS_ERR_HANDSHAKE_TIMEOUT', `Opening handshake timed out after ${timeout} ms`)), timeout);
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      const location = response.headers.location;
      const status = response.statusCode ?? 0;
      response.resume();
      if (options.followRedirects && status >= 300 && status < 400 && location) {
        const max = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
        if (redirects >= max) {
          fail(new HandshakeError(status, 'WS_ERR_HANDSHAKE_BAD_STATUS', `Too many redirects (more than ${max})`));
          return;
        }
        settled = true;
        clearTimeout(timer);
        request.destroy();
        attempt(redirectTarget(url, location), options, redirects + 1).then(resolve, reject);
        return;
      }
      fail(new HandshakeError(status, 'WS_ERR_HANDSHAKE_BAD_STATUS', `Unexpected server response: ${status}`));
    });
    request.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      let connection: Connection;
      try {
        const info = validateUpgradeResponse(response, sent);
        connection = new Connection(socket, {
          ...options,
          role: 'client',
          protocol: info.protocol,
          extensions: typeof response.headers['sec-websocket-extensions'] === 'string' ? response.headers['sec-websocket-extensions'] : '',
          deflate: info.deflate,
          head,
        });
      } catch (error) {
        socket.destroy();
        reject(error);
        return;
      }
      resolve(connection);
    });
    request.end();
  });
}

/** The TLS options `connect()` passes through to `https.request`. */
const TLS_OPTION_NAMES = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'checkServerIdentity', 'minVersion'] as const;

/** The named options that are set, and no others. */
function definedOnly<T extends object, K extends keyof T>(options: T, names: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const name of names) if (options[name] !== undefined) out[name] = options[name];
  return out;
}

/** Resolves a Location header against the current URL, keeping the ws/wss scheme family. */
function redirectTarget(current: URL, location: string): URL {
  const next = new URL(location, current);
  if (next.protocol === 'http:') next.protocol = 'ws:';
  if (next.protocol === 'https:') next.protocol = 'wss:';
  return next;
}

