/**
 * A node:http2 secure server on 127.0.0.1 (ALPN h2, and HTTP/1.1 too with `allowHTTP1`)
 * serving a page, with our WebSocketServer attached to it: the setup a browser needs for
 * WebSockets over HTTP/2 (RFC 8441). It keeps its sessions so that tests can count them,
 * and `stop()` closes everything it started.
 */
import { createSecureServer, type Http2SecureServer, type Http2Session, type SecureServerOptions, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { echo } from '../../src/cli/echo-server.js';
import type { Connection } from '../../src/connection/connection.js';
import type { ServerOptions } from '../../src/server/options.js';
import { createServer, type WebSocketServer } from '../../src/server/server.js';
import { stopServer } from './servers.js';
import { withTimeout } from './timeouts.js';
import { testPki } from './tls.js';

export interface H2Site {
  web: Http2SecureServer;
  wss: WebSocketServer;
  port: number;
  /** https://localhost:PORT (the name in the test certificate). */
  origin: string;
  /** wss://localhost:PORT/ws */
  url: string;
  /** Every HTTP/2 session the web server accepted. */
  sessions: ServerHttp2Session[];
  /** Every connection our server accepted, in order. */
  connections: Connection[];
  /** The HTTP version of each page request ('2.0' over h2). */
  pageVersions: string[];
  stop(): Promise<void>;
}

export interface H2SiteOptions {
  /** Options of the node:http2 server (the test certificate and allowHTTP1 are given). */
  web?: Partial<SecureServerOptions>;
  /** Options of our server (`server` is the web server; path /ws by default). */
  wss?: ServerOptions;
  /** The page at every other path, given the port (default a small HTML page). */
  page?: (port: number) => string;
  /** What to do with each connection (default: the CLI's echo, close codes and reasons included). */
  onConnection?: (connection: Connection) => void;
}

export async function startH2Site(options: H2SiteOptions = {}): Promise<H2Site> {
  const pki = testPki();
  const page = options.page ?? (() => '<!doctype html><title>h2</title>ok');
  const pageVersions: string[] = [];
  const web = createSecureServer({ key: pki.key, cert: pki.cert, allowHTTP1: true, ...options.web }, (request, response) => {
    pageVersions.push(request.httpVersion);
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(page((web.address() as AddressInfo).port));
  });
  const sessions: ServerHttp2Session[] = [];
  web.on('session', (session) => sessions.push(session));
  const connections: Connection[] = [];
  const wss = createServer({ path: '/ws', ...options.wss, server: web }, (connection) => {
    connections.push(connection);
    (options.onConnection ?? echo)(connection);
  });
  await withTimeout(new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve)), 5000, 'the http2 server to listen');
  const port = (web.address() as AddressInfo).port;
  return {
    web,
    wss,
    port,
    origin: `https://localhost:${port}`,
    url: `wss://localhost:${port}${options.wss?.path ?? '/ws'}`,
    sessions,
    connections,
    pageVersions,
    stop: async () => {
      await stopServer(wss).catch(() => {});
      await stopHttp2Server(web, sessions);
    },
  };
}

/** Destroys the sessions and closes the server (within `ms`). */
export async function stopHttp2Server(web: Http2SecureServer, sessions: readonly Http2Session[], ms = 5000): Promise<void> {
  for (const session of sessions) session.destroy();
  if (!web.listening) return;
  await withTimeout(new Promise<void>((resolve) => web.close(() => resolve())), ms, 'the http2 server to close');
}
