/**
 * The servers the WebSocketStream tests talk to, in two implementations — ours and the
 * `ws` package's — each answering by path, as the web-platform tests' handlers do
 * (websockets/handlers in WPT):
 *
 *   /echo                          echoes every message, text as text, binary as binary
 *   /protocol                      sends the subprotocol it selected, as text
 *   /remote-close?code=&reason=    closes at once with that status (a frame without one if no code)
 *   /remote-close?abrupt=1         drops the TCP connection at once
 *   /echo-exit                     echoes; on 'Goodbye' closes (1000), reads nothing more and
 *                                  drops the TCP connection 100 ms later
 *   /blast?count=&size=            sends `count` binary messages of `size` bytes at once, each
 *                                  starting with its index (UInt32BE) and filled with index & 255
 *   /hold                          reads nothing until the test resumes it
 *
 * Every server-side connection is recorded as a {@link PeerConnection}, so a test can pause
 * and resume its reading and look at its send buffer.
 */
import { once } from 'node:events';
import type { Test } from 'uvu';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import type { Connection } from '../../src/connection/connection.js';
import type { WebSocketOpenInfo } from '../../src/connection/web-streams.js';
import { createServer } from '../../src/server/server.js';
import { WebSocketStream, type WebSocketStreamConnectOptions } from '../../src/websocket/websocket-stream.js';
import type { ServerOptions } from '../../src/server/options.js';
import { stopServer } from '../helpers/servers.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';

export type PeerKind = 'wspipe' | 'ws';

export interface PeerOptions {
  perMessageDeflate?: boolean;
  /** wss:// with this key and certificate. */
  tls?: { key: Buffer; cert: Buffer };
}

/** One server-side connection, whatever the implementation. */
export interface PeerConnection {
  readonly path: string;
  /** Bytes accepted for sending and not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /** Messages received so far. */
  readonly received: Array<string | Buffer>;
  /** How it closed, once it has: the code and reason it reports. */
  readonly closed: Promise<{ code: number; reason: string }>;
  pauseReading(): void;
  resumeReading(): void;
  send(data: string | Buffer): void;
}

export interface StreamPeer {
  kind: PeerKind;
  url(path: string): string;
  /** The server side of each connection, in order. */
  connections: PeerConnection[];
  /** The server side of the `index`th connection, once it opened. */
  connection(index: number): Promise<PeerConnection>;
  stop(): Promise<void>;
}

/** The peers of one test file: each kind started on first use, all stopped after the file. */
export function peerPool(suite: Test, options: PeerOptions = {}): (kind: PeerKind) => Promise<StreamPeer> {
  const started = new Map<PeerKind, Promise<StreamPeer>>();
  suite.after(async () => {
    for (const peer of started.values()) await (await peer.catch(() => undefined))?.stop().catch(() => {});
  });
  return (kind) => {
    if (!started.has(kind)) started.set(kind, startPeer(kind, options));
    return started.get(kind)!;
  };
}

/** A WebSocketStream to `path` on `peer`, opened (within 5 s), with the server's side of it. */
export async function openStream(
  peer: StreamPeer,
  path: string,
  options: WebSocketStreamConnectOptions = {},
): Promise<WebSocketOpenInfo & { wss: WebSocketStream; server: PeerConnection }> {
  const index = peer.connections.length;
  const wss = new WebSocketStream(peer.url(path), {}, options);
  const info = await withTimeout(wss.opened, 5000, 'opened');
  return { ...info, wss, server: await peer.connection(index) };
}

export async function startPeer(kind: PeerKind, options: PeerOptions = {}): Promise<StreamPeer> {
  const connections: PeerConnection[] = [];
  const scheme = options.tls ? 'wss' : 'ws';
  const common = {
    connections,
    async connection(index: number) {
      await eventually(() => connections.length > index, 5000, `server-side connection ${index}`);
      return connections[index]!;
    },
  };
  if (kind === 'wspipe') {
    const serverOptions: ServerOptions = { host: '127.0.0.1', port: 0, maxBufferedAmount: 1 << 30, perMessageDeflate: options.perMessageDeflate ?? false };
    if (options.tls) serverOptions.tls = options.tls;
    const server = createServer(serverOptions, (connection, request) => {
      const peer = wspipeConnection(connection, request.url ?? '/');
      connections.push(peer);
      handle(peer, connection.protocol, { close: (code, reason) => connection.close(code, reason), terminate: () => connection.terminate() });
    });
    await withTimeout(once(server, 'listening'), 5000, 'the wspipe peer to listen');
    const port = (server.address() as AddressInfo).port;
    return { kind, url: (path) => `${scheme}://127.0.0.1:${port}${path}`, ...common, stop: () => stopServer(server) };
  }
  const web = options.tls ? (await import('node:https')).createServer(options.tls) : (await import('node:http')).createServer();
  const wss = new WsServer({ server: web, perMessageDeflate: options.perMessageDeflate ?? false, maxPayload: 1 << 30 });
  wss.on('error', () => {});
  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    ws.on('error', () => {});
    const peer = wsConnection(ws, request.url ?? '/');
    connections.push(peer);
    handle(peer, ws.protocol, { close: (code, reason) => ws.close(code, reason), terminate: () => ws.terminate() });
  });
  await withTimeout(new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve)), 5000, 'the ws peer to listen');
  const port = (web.address() as AddressInfo).port;
  return {
    kind,
    url: (path) => `${scheme}://127.0.0.1:${port}${path}`,
    ...common,
    async stop() {
      for (const client of wss.clients) client.terminate();
      await withTimeout(new Promise<void>((resolve) => wss.close(() => resolve())), 5000, 'the ws peer to close');
      web.closeAllConnections();
      await withTimeout(new Promise<void>((resolve) => web.close(() => resolve())), 5000, 'the ws web server to close');
    },
  };
}

interface Control {
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** The handlers, written once for both implementations. */
function handle(peer: PeerConnection & { onMessage(listener: (data: string | Buffer) => void): void }, protocol: string, control: Control): void {
  const url = new URL(peer.path, 'ws://peer');
  const query = url.searchParams;
  switch (url.pathname) {
    case '/echo':
      peer.onMessage((data) => peer.send(data));
      break;
    case '/protocol':
      peer.send(protocol);
      break;
    case '/remote-close':
      if (query.get('abrupt') === '1') control.terminate();
      else control.close(query.has('code') ? Number(query.get('code')) : undefined, query.get('reason') ?? '');
      break;
    case '/echo-exit':
      peer.onMessage((data) => {
        if (data !== 'Goodbye') {
          peer.send(data);
          return;
        }
        control.close(1000, 'Goodbye');
        peer.pauseReading();
        setTimeout(() => control.terminate(), 100);
      });
      break;
    case '/blast': {
      const count = Number(query.get('count'));
      const size = Number(query.get('size'));
      for (let index = 0; index < count; index++) peer.send(blastMessage(index, size));
      break;
    }
    case '/hold':
      peer.pauseReading();
      break;
    default:
      control.close(4404, `no handler for ${url.pathname}`);
  }
}

/** The `index`th message of /blast: its index (UInt32BE), then `index & 255` repeated. */
export function blastMessage(index: number, size: number): Buffer {
  const message = Buffer.alloc(size, index & 255);
  message.writeUInt32BE(index, 0);
  return message;
}

function wspipeConnection(connection: Connection, path: string): PeerConnection & { onMessage(listener: (data: string | Buffer) => void): void } {
  const socket = (connection as unknown as { socket: Socket }).socket;
  const received: Array<string | Buffer> = [];
  connection.on('message', (message) => received.push(message.data));
  connection.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => connection.once('close', (code, reason) => resolve({ code, reason })));
  let paused = false;
  // Connection resumes its socket a tick after it opens: pause after that, and keep it paused.
  const keepPaused = (): void => {
    if (paused) socket.pause();
  };
  return {
    path,
    received,
    closed,
    get bufferedAmount() {
      return connection.bufferedAmount;
    },
    pauseReading() {
      paused = true;
      socket.pause();
      setImmediate(keepPaused);
    },
    resumeReading() {
      paused = false;
      socket.resume();
    },
    send: (data) => connection.send(data),
    onMessage: (listener) => connection.on('message', (message) => listener(message.data)),
  };
}

function wsConnection(ws: WebSocket, path: string): PeerConnection & { onMessage(listener: (data: string | Buffer) => void): void } {
  const received: Array<string | Buffer> = [];
  const text = (data: WebSocket.RawData, isBinary: boolean): string | Buffer => (isBinary ? (data as Buffer) : (data as Buffer).toString('utf8'));
  ws.on('message', (data, isBinary) => received.push(text(data, isBinary)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    path,
    received,
    closed,
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    pauseReading: () => ws.pause(),
    resumeReading: () => ws.resume(),
    send: (data) => ws.send(data),
    onMessage: (listener) => ws.on('message', (data, isBinary) => listener(text(data, isBinary))),
  };
}
