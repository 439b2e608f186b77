/** The `ws` package's WebSocketServer as a peer we did not write, attached to a node:http(s) server. */
import { Server as HttpsServer } from 'node:https';
import WebSocket, { WebSocketServer, type ServerOptions } from 'ws';
import { listenWebServer, stopWebServer, type WebServer } from '../servers.js';
import { eventually, withTimeout } from '../timeouts.js';

export interface WsPeer {
  wss: WebSocketServer;
  /** ws:// or wss:// (for node:https) on 127.0.0.1. */
  url: string;
  port: number;
  /** How many WebSocket connections it accepted so far. */
  readonly accepted: number;
  /** The server side of the next client, once it connects. */
  nextClient(): Promise<WebSocket>;
  /** Terminates its clients, closes the ws server and the web server. */
  stop(): Promise<void>;
}

/**
 * A `ws` server attached to `web`, which this listens on 127.0.0.1 and a free port; it
 * echoes (text as text, binary as binary), unless `onConnection` says otherwise.
 */
export async function startWsPeer(web: WebServer, options: ServerOptions = {}, onConnection?: (ws: WebSocket) => void): Promise<WsPeer> {
  const wss = new WebSocketServer({ maxPayload: 64 << 20, ...options, server: web });
  wss.on('error', () => {});
  const pending: WebSocket[] = [];
  let accepted = 0;
  wss.on('connection', (ws) => {
    accepted++;
    ws.on('error', () => {});
    if (onConnection) onConnection(ws);
    else ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    pending.push(ws);
  });
  const port = await listenWebServer(web);
  return {
    wss,
    url: `${web instanceof HttpsServer ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
    port,
    get accepted() {
      return accepted;
    },
    async nextClient() {
      await eventually(() => pending.length > 0, 5000, 'the ws server to get a client');
      return pending.shift()!;
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      await withTimeout(new Promise<void>((resolve) => wss.close(() => resolve())), 5000, 'the ws server to close');
      await stopWebServer(web);
    },
  };
}

/**
 * ws peers for one test file, each started on first use (inside a test: a failing uvu
 * `before` hook would go unreported) and all stopped by `stopAll` (register it with `test.after`).
 */
export function wsPeers(): { lazy(start: () => Promise<WsPeer>): () => Promise<WsPeer>; stopAll(): Promise<void> } {
  const started: Array<Promise<WsPeer>> = [];
  return {
    lazy(start) {
      let peer: Promise<WsPeer> | undefined;
      return () => {
        if (!peer) started.push((peer = start()));
        return peer;
      };
    },
    async stopAll() {
      for (const peer of started) await (await peer.catch(() => undefined))?.stop().catch(() => {});
    },
  };
}
