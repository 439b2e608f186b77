import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkStages } from '../connection/chains.js';
import { Connection } from '../connection/connection.js';
import { resolveExtensions } from '../extensions/resolve.js';
import { buildExtendedConnectRequest, buildUpgradeRequest, HandshakeError, validateUpgradeResponse, type UpgradeRequest } from '../handshake/index.js';
import { openClientConnection } from './client-connection.js';
import { openClientSocket } from './client-socket.js';
import { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS, tlsOptionsOf, validateConnectOptions, type ConnectOptions } from './connect-options.js';
import { HandshakeDeadline, handshakeTimeoutError } from './deadline.js';
import { badStatus, readErrorBody } from './error-body.js';
import { connectOverHttp2 } from './http2-connect.js';
import { proxyFor } from './proxy.js';
import { bare, isSecure, portOf } from './target-url.js';

export { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS, type ConnectOptions } from './connect-options.js';

/**
 * Opens a WebSocket connection to a `ws://` or `wss://` URL (IPv6 literals included)
 * and resolves once the opening handshake succeeded (RFC 6455 §4.1).
 *
 * Bad arguments throw at the call (a TypeError or RangeError naming the option). The
 * promise rejects with a {@link HandshakeError} when the handshake fails (an HTTP error
 * response, with its status, reason phrase and body; a peer that does not speak HTTP; an
 * invalid 101 response; the handshake timeout), or with the socket's own error (refused,
 * reset, TLS verification) or an AbortError. Through a proxy (`proxy`), a refused tunnel is
 * a HandshakeError `WS_ERR_PROXY_REFUSED` with the proxy's status. With `http2`, the
 * WebSocket is an HTTP/2 stream when the server allows it (RFC 8441): `transport` says.
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<Connection> {
  validateConnectOptions(options);
  const extensions = resolveExtensions(options, 'client');
  checkStages(options.stages, extensions.map((extension) => extension.name));
  const target = new URL(url);
  const build = (to: URL): UpgradeRequest =>
    buildUpgradeRequest(to, { protocols: options.protocols, headers: options.headers, origin: options.origin, extensions });
  // One bound for the whole opening handshake, redirects included.
  const endsAt = Date.now() + (options.handshakeTimeout ?? DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS);
  // Builds (and so checks) the request now, so that a bad subprotocol or header throws here.
  return open(target, build(target), build, options, { redirects: 0, endsAt });
}

/** Where a handshake stands: redirects followed so far, and when its time is up (`Date.now()` terms). */
interface Hop {
  redirects: number;
  endsAt: number;
}

/**
 * One hop (a redirect is another): straight to https.request, unless the connection goes
 * through a proxy or may be HTTP/2; then the connection is opened here first.
 */
function open(url: URL, sent: UpgradeRequest, build: (to: URL) => UpgradeRequest, options: ConnectOptions, hop: Hop): Promise<Connection> {
  const proxy = proxyFor(url, options.proxy);
  // HTTP/2 needs TLS to be offered (ALPN), unless the caller brings a session.
  const http2 = typeof options.http2 === 'object' || (options.http2 === true && isSecure(url));
  if (proxy === null && !http2) return attempt(url, sent, build, options, hop);
  return openRouted(url, sent, build, options, hop, proxy, http2);
}

async function openRouted(
  url: URL,
  sent: UpgradeRequest,
  build: (to: URL) => UpgradeRequest,
  options: ConnectOptions,
  hop: Hop,
  proxy: URL | null,
  http2: boolean,
): Promise<Connection> {
  const deadline = new HandshakeDeadline(options.handshakeTimeout ?? DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, options.signal, hop.endsAt);
  let socket: Duplex | null = null;
  try {
    if (http2) {
      const request = buildExtendedConnectRequest(url, { protocols: sent.protocols, headers: options.headers, origin: options.origin, extensions: sent.offeredExtensions });
      const opened = await connectOverHttp2(url, request, options, proxy, deadline);
      if (opened instanceof Connection) return opened;
      socket = opened.socket;
    }
    if (socket === null && proxy !== null) socket = await deadline.race(openClientSocket(url, options, { proxy }, deadline.signal));
  } catch (error) {
    socket?.destroy();
    throw error;
  } finally {
    deadline.dispose();
  }
  return attempt(url, sent, build, options, hop, socket);
}

/**
 * The HTTP/1.1 upgrade (RFC 6455 §4.1), over a connection https.request opens, or over
 * `given` (a proxy's tunnel, a TLS connection that chose http/1.1), by `hop.endsAt`.
 */
function attempt(
  url: URL,
  sent: UpgradeRequest,
  build: (to: URL) => UpgradeRequest,
  options: ConnectOptions,
  hop: Hop,
  given: Duplex | null = null,
): Promise<Connection> {
  return new Promise<Connection>((resolve, reject) => {
    const secure = isSecure(url);
    const request = (secure ? httpsRequest : httpRequest)({
      host: bare(url.hostname),
      port: portOf(url),
      path: sent.path,
      method: 'GET',
      headers: sent.headers,
      // An option given as `undefined` replaces Node's default (checkServerIdentity:
      // undefined breaks every TLS connection), so only the options the caller set go in.
      ...tlsOptionsOf(options),
      ...(options.signal !== undefined && { signal: options.signal }),
      // Over a connection opened here, no agent at all; else without an agent of the
      // caller's, none: https.globalAgent resumes TLS sessions of earlier connections, its
      // cache key ignores checkServerIdentity, and Node skips that check on a resumed
      // session. A WebSocket never reuses its TCP connection anyway.
      ...(given ? { createConnection: () => given as Socket } : { agent: options.agent ?? false }),
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
    const timer = setTimeout(() => fail(handshakeTimeoutError(timeout)), Math.max(1, hop.endsAt - Date.now()));
    request.on('error', (error: Error & { code?: string }) => fail(notHttp(error) ?? error));
    request.on('response', (response: IncomingMessage) => {
      const location = response.headers.location;
      const status = response.statusCode ?? 0;
      if (options.followRedirects && status >= 300 && status < 400 && location) {
        response.resume();
        const max = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
        if (hop.redirects >= max) {
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
        open(next.url, next.sent, build, options, { redirects: hop.redirects + 1, endsAt: hop.endsAt }).then(resolve, reject);
        return;
      }
      readErrorBody(response).then((body) => fail(badStatus(response.statusCode ?? 0, response.statusMessage ?? '', body)), fail);
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
        connection = openClientConnection(socket, options, info, response.headers, { head, transport: 'http/1.1' });
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

/** Node's HTTP parser failed (`HPE_*`): the peer does not speak HTTP. */
function notHttp(error: Error & { code?: string }): HandshakeError | null {
  if (typeof error.code !== 'string' || !error.code.startsWith('HPE_')) return null;
  return new HandshakeError(0, 'WS_ERR_HANDSHAKE_NOT_HTTP', `The server did not answer with HTTP (${error.code}: ${error.message})`, { cause: error });
}

/** Resolves a Location header against the current URL, keeping the ws/wss scheme family. */
function redirectTarget(current: URL, location: string): URL {
  const next = new URL(location, current);
  if (next.protocol === 'http:') next.protocol = 'ws:';
  if (next.protocol === 'https:') next.protocol = 'wss:';
  return next;
}
