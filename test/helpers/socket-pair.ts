/** Two ends of one real TCP connection on 127.0.0.1, for a Connection with no handshake in front of it. */
import { createConnection, createServer, type AddressInfo, type Socket, type SocketConstructorOpts } from 'node:net';
import { nextEvent, withTimeout } from './timeouts.js';

export interface SocketPair {
  /** The end that connected. */
  local: Socket;
  /** The end that was accepted. */
  remote: Socket;
  /** Destroys both ends and stops the listener (within 5 s). */
  close(): Promise<void>;
}

/** Connects to a listener of its own; `highWaterMark` (both directions) for the local end when given. */
export async function socketPair(options: { highWaterMark?: number } = {}): Promise<SocketPair> {
  const server = createServer();
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 5000, 'a TCP server to listen');
  const accepted = nextEvent<[Socket]>(server, 'connection', 5000, 'the TCP connection');
  const local = createConnection({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    ...(options.highWaterMark !== undefined && ({ highWaterMark: options.highWaterMark } as SocketConstructorOpts)),
  });
  const [remote] = await accepted;
  await withTimeout(new Promise<void>((resolve) => (local.connecting ? local.once('connect', resolve) : resolve())), 5000, 'the TCP connect');
  return {
    local,
    remote,
    close: async () => {
      local.destroy();
      remote.destroy();
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5000, 'the TCP server to close');
    },
  };
}
