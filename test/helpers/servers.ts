/** wspipe servers for the interop and conformance suites: 127.0.0.1 only, always stoppable. */
import type { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { echo, startEchoServer } from '../../src/cli/echo-server.js';
import type { Connection } from '../../src/connection/connection.js';
import { createServer, type WebSocketServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';
import { nextEvent, withTimeout } from './timeouts.js';

export interface EchoServer {
  server: WebSocketServer;
  port: number;
  url: string;
  /** Terminates every connection and closes the listener (bounded in time). */
  stop(): Promise<void>;
}

/** The echo server of the CLI, on 127.0.0.1 and a free port (listening with TLS, wss://, given `options.tls`). */
export async function startEcho(options: ServerOptions = {}): Promise<EchoServer> {
  const server = await withTimeout(startEchoServer({ ...options, host: '127.0.0.1', port: 0 }), 5000, 'the echo server to listen');
  const port = (server.address() as AddressInfo).port;
  return { server, port, url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/`, stop: () => stopServer(server) };
}

/** A node:http or node:https server, the web server a WebSocketServer can attach to. */
export type WebServer = HttpServer | HttpsServer;

/**
 * Our server attached (the `server` option) to a node:http or node:https server that
 * keeps answering its other requests, which this listens on 127.0.0.1 and a free port;
 * it runs `onConnection` (default: echo). The URL is wss:// for node:https, on
 * `options.path`. `stop` closes both.
 */
export async function startAttached(web: WebServer, options: ServerOptions = {}, onConnection: (connection: Connection) => void = echo): Promise<EchoServer> {
  const server = createServer({ ...options, server: web }, onConnection);
  let port: number;
  try {
    port = await listenWebServer(web);
  } catch (error) {
    await stopServer(server).catch(() => {});
    throw error;
  }
  const scheme = web instanceof HttpsServer ? 'wss' : 'ws';
  return {
    server,
    port,
    url: `${scheme}://127.0.0.1:${port}${options.path ?? '/'}`,
    stop: async () => {
      await stopServer(server).catch(() => {});
      await stopWebServer(web);
    },
  };
}

/** Our server listening by itself (with TLS given `options.tls`) on 127.0.0.1 and a free port, running `onConnection`. */
export async function startListening(options: ServerOptions, onConnection: (connection: Connection) => void): Promise<EchoServer> {
  const server = createServer({ ...options, host: '127.0.0.1', port: 0 }, onConnection);
  try {
    await nextEvent(server, 'listening', 5000, 'the wspipe server to listen');
  } catch (error) {
    await stopServer(server).catch(() => {});
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return { server, port, url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}${options.path ?? '/'}`, stop: () => stopServer(server) };
}

/** Listens the web server on 127.0.0.1 and a free port (within 5 s); resolves with the port. */
export async function listenWebServer(web: WebServer): Promise<number> {
  await withTimeout(new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve)), 5000, 'the web server to listen');
  return (web.address() as AddressInfo).port;
}

/** Drops the web server's connections and closes it (within `ms`); nothing to do if it does not listen. */
export async function stopWebServer(web: WebServer, ms = 5000): Promise<void> {
  if (!web.listening) return;
  web.closeAllConnections();
  await withTimeout(new Promise<void>((resolve) => web.close(() => resolve())), ms, 'the web server to close');
}

/**
 * Echo servers for one test file: a shared one started lazily inside a test (a failing uvu
 * `before` hook would go unreported) and extra ones with their own options, all stopped
 * by `stopAll` (register it with `test.after`). `start` makes each one (default: `startEcho`).
 */
export function echoServers(start: (options: ServerOptions) => Promise<EchoServer> = startEcho): {
  shared: () => Promise<EchoServer>;
  extra: (options: ServerOptions) => Promise<EchoServer>;
  stopAll: () => Promise<void>;
} {
  let shared: Promise<EchoServer> | undefined;
  const extras: EchoServer[] = [];
  return {
    shared: () => (shared ??= start({})),
    extra: async (options) => {
      const server = await start(options);
      extras.push(server);
      return server;
    },
    stopAll: async () => {
      if (shared) await (await shared).stop().catch(() => {});
      for (const server of extras) await server.stop().catch(() => {});
    },
  };
}

/** Terminates what is left of the server's connections, then closes it (within `ms`). */
export async function stopServer(server: WebSocketServer, ms = 5000): Promise<void> {
  for (const connection of server.connections) connection.terminate();
  await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), ms, 'the wspipe server to close');
}

/** The next connection the server accepts (listen before the client connects). */
export function nextConnection(server: WebSocketServer, ms = 5000): Promise<Connection> {
  return nextEvent<[Connection]>(server, 'connection', ms, "the server's next connection").then(([connection]) => connection);
}

export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** The 'close' event of a wspipe connection (start waiting right after it opens). */
export function closeOf(connection: Connection, ms = 5000, what = "the connection's 'close' event"): Promise<CloseInfo> {
  return withTimeout(
    new Promise<CloseInfo>((resolve) => connection.once('close', (code, reason, wasClean) => resolve({ code, reason, wasClean }))),
    ms,
    what,
  );
}
