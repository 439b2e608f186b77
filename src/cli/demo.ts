import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from '../server/server.js';
import type { UpgradeRequestView } from '../server/options.js';
import { FAVICON_SVG, renderDemoPage } from './demo-page.js';
import { GuestNames } from './guest-names.js';
import { boundPort, closeGracefully, SHUTDOWN_GRACE_MS } from './serve.js';

/** The topic every page joins: the chat room. */
const ROOM = 'room';

/** Longest chat message the demo accepts by default; longer ones are closed with 1009. */
export const DEFAULT_DEMO_MAX_MESSAGE_BYTES = 4096;

export interface DemoOptions {
  host: string;
  /** 0 for any free port. */
  port: number;
  maxMessageBytes?: number;
}

export interface Demo {
  http: Server;
  ws: WebSocketServer;
  /** The port it listens on. */
  port: number;
  /** Closes every connection with 1001 (going away), then the HTTP server. */
  stop(): Promise<void>;
}

function serveFile(request: IncomingMessage, response: ServerResponse, page: string): void {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed');
  } else if (path === '/' || path === '/index.html') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  } else if (path === '/favicon.svg') {
    response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' }).end(FAVICON_SVG);
  } else if (path === '/favicon.ico') {
    // Browsers ask for it whatever the page links; the icon is /favicon.svg.
    response.writeHead(204).end();
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  }
}

/** The name a page asks to keep, and the token that proves it had it (`/ws?name=guest-3&token=…`). */
function requestedName(request: UpgradeRequestView): { name: string | null; token: string | null } {
  const query = new URL(request.url ?? '/', 'http://demo.invalid').searchParams;
  return { name: query.get('name'), token: query.get('token') };
}

/**
 * `wspipe demo`: an HTTP server with a chat page at `/` and its WebSocket endpoint at
 * `/ws` (attached to the http server's upgrade event). The room is a topic: every page
 * subscribes to it, a message is published to everyone else in it (`connection.publish`),
 * and the server announces joins and leaves there. The page is rendered with the
 * server's message limit, so it can refuse what the server would close with 1009.
 */
export function startDemo(options: DemoOptions): Promise<Demo> {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_DEMO_MAX_MESSAGE_BYTES;
  const page = renderDemoPage({ maxMessageBytes });
  const http = createHttpServer((request, response) => serveFile(request, response, page));
  const ws = new WebSocketServer({
    server: http,
    path: '/ws',
    handleProtocols: ['chat'],
    perMessageDeflate: true,
    maxPayload: maxMessageBytes,
    heartbeat: { interval: 30_000 },
  });
  const guests = new GuestNames();
  const say = (from: string, text: string): string => JSON.stringify({ from, text });
  ws.on('connection', (connection, request) => {
    const asked = requestedName(request);
    const { name, token, returning } = guests.claim(connection, asked.name, asked.token);
    connection.subscribe(ROOM);
    const welcome = `${returning ? 'welcome back' : 'welcome'}, you are ${name}; ${ws.subscriberCount(ROOM)} in the room`;
    connection.send(JSON.stringify({ from: 'server', type: 'welcome', name, token, text: welcome }));
    connection.publish(ROOM, say('server', `${name} ${returning ? 'is back' : 'joined'}`));
    connection.on('message', (message) => {
      if (message.type === 'text') connection.publish(ROOM, say(name, message.data));
    });
    connection.on('close', () => {
      // A page that came back before its old connection was seen to drop holds the name now.
      if (guests.release(name, connection)) ws.publish(ROOM, say('server', `${name} left`));
    });
  });
  const stop = async (): Promise<void> => {
    // Stop listening first, so a page reconnecting meanwhile is refused rather than answered 404.
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    await closeGracefully(ws);
    const timer = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await httpClosed;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve({ http, ws, port: boundPort(http.address()), stop });
    });
  });
}
