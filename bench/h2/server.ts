/**
 * The server child of the h2 benchmark: a node:http2 secure server (ALPN h2 and, with
 * allowHTTP1, http/1.1) with our WebSocketServer attached, echoing. It answers the runner's
 * IPC: its address, and its memory after a full GC with the count of open connections.
 */
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createServer } from '../../src/server/server.js';

export type H2ServerRequest = { type: 'memory' } | { type: 'stop' };
export type H2ServerReply =
  | { type: 'listening'; port: number }
  | { type: 'memory'; rss: number; connections: number; sessions: number; h2: number }
  | { type: 'error'; message: string };

const [key, cert] = [process.env['BENCH_H2_KEY']!, process.env['BENCH_H2_CERT']!];
const web = createSecureServer({ key, cert, allowHTTP1: true }, (_request, response) => response.end('ok'));
let sessions = 0;
web.on('session', () => sessions++);
const wss = createServer({ server: web }, (connection) => connection.on('message', (message) => connection.send(message.data)));
const reply = (message: H2ServerReply): void => void process.send!(message);

process.on('message', (request: H2ServerRequest) => {
  if (request.type === 'memory') {
    globalThis.gc?.();
    const connections = [...wss.connections];
    reply({ type: 'memory', rss: process.memoryUsage.rss(), connections: connections.length, sessions, h2: connections.filter((c) => c.transport === 'h2').length });
  } else if (request.type === 'stop') {
    for (const connection of wss.connections) connection.terminate();
    process.exit(0);
  }
});
web.listen(0, '127.0.0.1', () => reply({ type: 'listening', port: (web.address() as AddressInfo).port }));
