import { createServer as createHttpServer, type Server } from 'node:http';
import type { Connection } from '../connection/connection.js';
import { ReadyState } from '../connection/ready-state.js';
import { WebSocketServer } from '../server/server.js';
import { DEMO_PAGE } from './demo-page.js';

/** Longest chat line the demo relays; longer messages are refused with 1009. */
const MAX_CHAT_MESSAGE_BYTES = 4096;

/**
 * `wspipe demo`: an HTTP server with a chat page at `/` and its WebSocket endpoint at
 * `/ws` (attached to the http server's upgrade event). Every message goes to everyone
 * else in the room; the server announces joins and leaves.
 */
export function startDemo(port: number, host: string): Promise<{ http: Server; ws: WebSocketServer }> {
  const http = createHttpServer((request, response) => {
    if (request.url === '/' || request.url === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(DEMO_PAGE);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not found');
    }
  });
  const ws = new WebSocketServer({
    server: http,
    path: '/ws',
    handleProtocols: ['chat'],
    perMessageDeflate: true,
    maxPayload: MAX_CHAT_MESSAGE_BYTES,
    heartbeat: { interval: 30_000 },
  });
  let nextId = 1;
  const names = new Map<Connection, string>();
  const broadcast = (payload: { from: string; text: string }, except?: Connection): void => {
    const data = JSON.stringify(payload);
    for (const connection of ws.connections) {
      if (connection !== except && connection.readyState === ReadyState.OPEN) connection.send(data);
    }
  };
  ws.on('connection', (connection) => {
    const name = `guest-${nextId++}`;
    names.set(connection, name);
    connection.send(JSON.stringify({ from: 'server', text: `welcome, you are ${name}; ${ws.connections.size} in the room` }));
    broadcast({ from: 'server', text: `${name} joined` }, connection);
    connection.on('message', (message) => {
      if (message.type === 'text') broadcast({ from: name, text: message.data }, connection);
    });
    connection.on('close', () => {
      names.delete(connection);
      broadcast({ from: 'server', text: `${name} left` });
    });
  });
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve({ http, ws }));
  });
}
