/**
 * A proxy that takes the TCP connection and never answers the CONNECT: the client's
 * handshakeTimeout (WS_ERR_HANDSHAKE_TIMEOUT) and signal (AbortError) still bound the
 * handshake, and the connection to the proxy is closed. No real proxy is needed for this.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, HandshakeError } from '../../src/index.js';
import { eventually } from '../helpers/timeouts.js';

interface SilentProxy {
  url: string;
  sockets: Socket[];
  /** What the proxy received, all connections together. */
  received(): string;
  stop(): Promise<void>;
}

async function silentProxy(): Promise<SilentProxy> {
  const sockets: Socket[] = [];
  let text = '';
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    received: () => text,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const scheme of ['ws', 'wss'] as const) {
  test(`${scheme}:// through a proxy that never answers: handshakeTimeout rejects WS_ERR_HANDSHAKE_TIMEOUT and the tunnel attempt is closed`, async () => {
    const proxy = await silentProxy();
    try {
      const started = Date.now();
      const error = await connect(`${scheme}://example.invalid:4444/`, { proxy: proxy.url, handshakeTimeout: 300 }).then(
        () => null,
        (caught: unknown) => caught,
      );
      assert.instance(error, HandshakeError);
      assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_TIMEOUT');
      assert.ok(Date.now() - started >= 250, 'not before the timeout');
      assert.match(proxy.received(), /^CONNECT example\.invalid:4444 HTTP\/1\.1\r\n/);
      await eventually(() => proxy.sockets.length === 1 && proxy.sockets[0]!.closed, 2000, 'the client to close its connection to the proxy');
    } finally {
      await proxy.stop();
    }
  });
}

test("through a proxy that never answers: the caller's signal rejects with an AbortError and the tunnel attempt is closed", async () => {
  const proxy = await silentProxy();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await connect('ws://example.invalid:4444/', { proxy: proxy.url, signal: controller.signal }).then(
      () => null,
      (caught: unknown) => caught as Error,
    );
    assert.is(error?.name, 'AbortError');
    await eventually(() => proxy.sockets.length === 1 && proxy.sockets[0]!.closed, 2000, 'the client to close its connection to the proxy');
  } finally {
    await proxy.stop();
  }
});

test.run();
