import type { Connection } from '../connection/connection.js';
import { createServer, type WebSocketServer } from '../server/server.js';
import type { ServerOptions } from '../server/options.js';

/**
 * Wires a connection to echo: text back as text, binary back as binary. Pings are
 * answered by the connection's automatic pong, and a received close code is echoed by
 * the close handshake itself.
 */
export function echo(connection: Connection): void {
  connection.on('message', (message) => {
    if (message.type === 'text') connection.send(message.data);
    else if (message.type === 'binary') connection.send(message.data);
  });
}

/**
 * An echo server listening on `options.port`; resolves once it listens. It echoes without
 * waiting for 'drain', so a peer that sends without reading what comes back is closed with
 * 1008 once `maxBufferedAmount` is reached (`onSendBufferFull: 'close'`), rather than
 * `send()` throwing in the message listener.
 */
export function startEchoServer(options: ServerOptions): Promise<WebSocketServer> {
  const server = createServer({ onSendBufferFull: 'close', ...options }, echo);
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
