import type { AddressInfo } from 'node:net';
import { connect, createServer, type Connection, type ConnectOptions, type ServerOptions, type WebSocketServer } from '../../src/index.js';

export interface Pair {
  server: WebSocketServer;
  serverSide: Connection;
  client: Connection;
  url: string;
  close(): Promise<void>;
}

/** A wspipe server and a wspipe client connected over loopback. */
export async function openPair(serverOptions: ServerOptions = {}, clientOptions: ConnectOptions = {}): Promise<Pair> {
  const server = createServer({ host: '127.0.0.1', port: 0, ...serverOptions });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const serverSide = new Promise<Connection>((resolve) => server.once('connection', resolve));
  const client = await connect(url, clientOptions);
  return {
    server,
    serverSide: await serverSide,
    client,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        client.terminate();
        server.close(() => resolve());
      }),
  };
}

export function once<T extends unknown[]>(emitter: { once(event: string, listener: (...args: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: T) => resolve(args)));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
