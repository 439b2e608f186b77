import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { checkStages, placeStages } from '../connection/chains.js';
import { Connection } from '../connection/connection.js';
import { resolveExtensions } from '../extensions/resolve.js';
import { buildUpgradeRequest, HandshakeError, validateUpgradeResponse, type UpgradeRequest } from '../handshake/index.js';
import { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS, validateConnectOptions, type ConnectOptions } from './connect-options.js';
import { readErrorBody } from './error-body.js';

export { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS, type ConnectOptions } from './connect-options.js';

/**
 * Opens a WebSocket connection to a `ws://` or `wss://` URL (IPv6 literals included)
 * and resolves once the opening handshake succeeded (RFC 6455 §4.1).
 *
 * Bad arguments throw at the call (a TypeError or RangeError naming the option). The
 * promise rejects with a {@link HandshakeError} when the handshake fails (an HTTP error
 * response, with its status, reason phrase and body; a peer that does not speak HTTP; an
 * invalid 101 response; the handshake timeout), or with the socket's own error (refused,
 * reset, TLS verification) or an AbortError.
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<Connection> {
  validateConnectOptions(options);
  const extensions = resolveExtensions(options, 'client');
  checkStages(options.stages, extensions.map((extension) => extension.name));
  const target = new URL(url);
  const build = (to: URL): UpgradeRequest =>
    buildUpgradeRequest(to, { protocols: options.protocols, headers: options.headers, origin: options.origin, extensions });
  // Builds (and so checks) the request now, so that a bad subprotocol or header throws here.
  return attempt(target, build(target), build, options, 0);
}

function attempt(url: URL, sent: UpgradeRequest, build: (to: URL) => UpgradeRequest, options: ConnectOptions, redirects: number): Promise<Connection> {
  return new Promise<Connection>((resolve, reject) => {
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
      ...definedOnly(options, ['signal'] as const),
      // Without an agent of the caller's, none: https.globalAgent resumes TLS sessions of
      // earlier connections, its cache key ignores checkServerIdentity, and Node skips that
      // check on a resumed session. A WebSocket never reuses its TCP connection anyway.
      agent: options.agent ?? false,
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
    request.on('error', (error: Error & { code?: string }) => fail(notHttp(error) ?? error));
    request.on('response', (response: IncomingMessage) => {
      const location = response.headers.location;
      const status = response.statusCode ?? 0;
      if (options.followRedirects && status >= 300 && status < 400 && location) {
        response.resume();
        const max = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
        if (redirects >= max) {
          fail(new HandshakeError(status, 'WS_ERR_HANDSHAKE_BAD_STATUS', `Too many redirects (more than ${max})`));
          return;
        }
        settled = true;
        clearTimeout(timer);
        request.destroy();
        let next: { url: URL; sent: UpgradeRequest };
        try {
          const target = redirectTarget(url, location);
          next = { url: target, sent: build(target) };
        } catch (error) {
          reject(error);
          return;
        }
        attempt(next.url, next.sent, build, options, redirects + 1).then(resolve, reject);
        return;
      }
      readErrorBody(response).then((body) => fail(badStatus(response, body)), fail);
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
          extensionStages: info.agreed.map((entry) => entry.stages),
          stages: placeStages(options.stages, info.agreed.map((entry) => entry.extension.name)),
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

/** A response other than 101: its status, reason phrase and what its body says. */
function badStatus(response: IncomingMessage, body: string): HandshakeError {
  const status = response.statusCode ?? 0;
  const statusMessage = response.statusMessage ?? '';
  const said = body.trim() === '' || body.trim() === statusMessage ? '' : `: ${body.trim()}`;
  return new HandshakeError(status, 'WS_ERR_HANDSHAKE_BAD_STATUS', `Unexpected server response: ${status} ${statusMessage}${said}`.trimEnd(), {
    statusMessage,
    body,
  });
}

/** Node's HTTP parser failed (`HPE_*`): the peer does not speak HTTP. */
function notHttp(error: Error & { code?: string }): HandshakeError | null {
  if (typeof error.code !== 'string' || !error.code.startsWith('HPE_')) return null;
  return new HandshakeError(0, 'WS_ERR_HANDSHAKE_NOT_HTTP', `The server did not answer with HTTP (${error.code}: ${error.message})`, { cause: error });
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
