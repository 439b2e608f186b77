/** wspipe servers for the interop and conformance suites: 127.0.0.1 only, always stoppable. */
import type { AddressInfo } from 'node:net';
import { startEchoServer } from '../../src/cli/echo-server.js';
import type { Connection } from '../../src/connection/connection.js';
import type { WebSocketServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';
import { nextEvent, withTimeout } from './timeouts.js';

export interface EchoServer {
  server: WebSocketServer;
  port: number;
  url: string;
  /** Terminates every connection and closes the listener (bounded in time). */
  stop(): Promise<void>;
}

/** The echo server of the CLI, on 127.0.0.1 and a free port. */
export async function startEcho(options: ServerOptions = {}): Promise<EchoServer> {
  const server = await withTimeout(startEchoServer({ ...options, host: '127.0.0.1', port: 0 }), 5000, 'the echo server to listen');
  const port = (server.address() as AddressInfo).port;
  return { server, port, url: `ws://127.0.0.1:${port}/`, stop: () => stopServer(server) };
}

/**
 * Echo servers for one test file: a shared one started lazily inside a test (a failing uvu
 * `before` hook would go unreported) and extra ones with their own options, all stopped
 * by `stopAll` (register it with `test.after`).
 */
export function echoServers(): {
  shared: () => Promise<EchoServer>;
  extra: (options: ServerOptions) => Promise<EchoServer>;
  stopAll: () => Promise<void>;
} {
  let shared: Promise<EchoServer> | undefined;
  const extras: EchoServer[] = [];
  return {
    shared: () => (shared ??= startEcho()),
    extra: async (options) => {
      const server = await startEcho(options);
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
