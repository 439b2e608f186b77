/** A `ws` package server for the WebSocket-class tests: echoes, records each request's headers. */
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions } from 'ws';
import { withTimeout } from '../helpers/timeouts.js';

export interface WsServer {
  url: string;
  /** The headers of every upgrade request that reached a connection, in order. */
  requests: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

export async function startWsServer(options: ServerOptions = {}): Promise<WsServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  wss.on('error', () => {});
  await withTimeout(once(wss, 'listening'), 5000, 'the ws server to listen');
  const requests: IncomingHttpHeaders[] = [];
  wss.on('connection', (ws, request) => {
    requests.push(request.headers);
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    requests,
    async stop() {
      for (const client of wss.clients) client.terminate();
      await withTimeout(new Promise<void>((resolve) => wss.close(() => resolve())), 5000, 'the ws server to close');
    },
  };
}
