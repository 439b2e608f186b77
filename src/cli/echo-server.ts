import type { Connection } from '../connection/connection.js';
import { createServer, type WebSocketServer } from '../server/server.js';
import type { ServerOptions } from '../server/options.js';

/** The topic `wspipe echo --broadcast` publishes every message to, and every connection subscribes to. */
export const BROADCAST_TOPIC = 'echo';

/**
 * Wires a connection to echo: text back as text, binary back as binary. Pings are
 * answered by the connection's automatic pong, and a received close code is echoed by
 * the close handshake itself.
 */
export function echo(connection: Connection): void {
  // send() keeps the type: a string goes out as text, bytes as binary.
  connection.on('message', (message) => connection.send(message.data));
}

/**
 * Wires a connection to the broadcast echo: it subscribes to {@link BROADCAST_TOPIC}, and
 * what it sends is published there, for every connection (itself included) of this
 * server and, with a broker, of every server sharing it.
 */
export function broadcast(server: WebSocketServer): (connection: Connection) => void {
  return (connection) => {
    connection.subscribe(BROADCAST_TOPIC);
    connection.on('message', (message) => server.publish(BROADCAST_TOPIC, message.data));
  };
}

/**
 * An echo server (or, with `mode` 'broadcast', a broadcast echo) listening on
 * `options.port`; resolves once it listens. It echoes without waiting for 'drain', so a
 * peer that sends without reading what comes back is closed with 1008 once
 * `maxBufferedAmount` is reached (`onSendBufferFull: 'close'`), rather than `send()`
 * throwing in the message listener.
 */
export function startEchoServer(options: ServerOptions, mode: 'echo' | 'broadcast' = 'echo'): Promise<WebSocketServer> {
  const server = createServer({ onSendBufferFull: 'close', ...options });
  server.on('connection', mode === 'echo' ? echo : broadcast(server));
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
