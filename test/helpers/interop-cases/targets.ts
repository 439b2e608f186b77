/**
 * Where an interop suite runs: over plain TCP (ws://) or TLS (wss://, with the test PKI),
 * and whether our server listens by itself (`createServer`) or is attached to a
 * node:http(s) server (`new WebSocketServer({ server })`). The interop cases take a
 * target, so every plain case has its wss:// twin from the same code.
 */
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Connection } from '../../../src/connection/connection.js';
import type { ServerOptions } from '../../../src/server/options.js';
import { startAttached, startEcho, startListening, type EchoServer, type WebServer } from '../servers.js';
import { testPki } from '../tls.js';

export type ServerMode = 'listening' | 'attached';

export interface InteropTarget {
  /** Names the suite: "ws:// createServer", "wss:// attached to node:https", ... */
  label: string;
  secure: boolean;
  mode: ServerMode;
  /** What a Node client (ours or ws) needs to trust the server: nothing, or the test CA. */
  trust: { ca?: Buffer };
  /** The environment a child Node process needs to trust the server. */
  childEnv: Record<string, string>;
  /** A node:http or node:https server (with the test certificate), not listening yet. */
  createWebServer(handler?: RequestListener): WebServer;
  /** Our echo server (the CLI's, when listening) in this mode, on 127.0.0.1 and a free port. */
  startEcho(options?: ServerOptions): Promise<EchoServer>;
  /**
   * Our server in this mode, running `onConnection`: attached to `web` (which it listens
   * on a free port), or listening by itself and leaving `web` alone.
   */
  startServer(options: ServerOptions, onConnection: (connection: Connection) => void, web: WebServer): Promise<EchoServer>;
}

const notFound: RequestListener = (_request, response) => {
  response.writeHead(404);
  response.end();
};

/** A target; with `secure`, the process's test PKI is created (once) here. */
export function interopTarget(secure: boolean, mode: ServerMode): InteropTarget {
  const pki = secure ? testPki() : null;
  const serverTls = pki ? { key: pki.key, cert: pki.cert } : null;
  const withTls = (options: ServerOptions): ServerOptions => (serverTls ? { ...options, tls: serverTls } : options);
  const createWebServer = (handler: RequestListener = notFound): WebServer =>
    serverTls ? createHttpsServer(serverTls, handler) : createHttpServer(handler);
  return {
    label: `${secure ? 'wss://' : 'ws://'} ${mode === 'listening' ? `createServer(${secure ? '{ tls }' : ''})` : `attached to ${secure ? 'node:https' : 'node:http'}`}`,
    secure,
    mode,
    trust: pki ? { ca: pki.ca } : {},
    childEnv: pki ? { NODE_EXTRA_CA_CERTS: pki.caFile } : {},
    createWebServer,
    startEcho: (options = {}) => (mode === 'attached' ? startAttached(createWebServer(), options) : startEcho(withTls(options))),
    startServer: (options, onConnection, web) =>
      mode === 'attached' ? startAttached(web, options, onConnection) : startListening(withTls(options), onConnection),
  };
}
