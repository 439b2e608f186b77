/** The client's own limits and options: handshake timeout, abort, redirects, IPv6 literals. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { connect, createServer, HandshakeError } from '../../src/index.js';
import { once } from '../helpers/pair.js';

function listen(server: Server | ReturnType<typeof createNetServer>, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

test('handshakeTimeout: a server that never answers fails the connect with a timeout', async () => {
  const sockets: Socket[] = [];
  const silent = createNetServer((socket) => sockets.push(socket));
  const port = await listen(silent);
  const started = Date.now();
  const error = await connect(`ws://127.0.0.1:${port}/`, { handshakeTimeout: 150 }).then(() => null, (e: unknown) => e);
  assert.instance(error, HandshakeError);
  assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_TIMEOUT');
  assert.ok(Date.now() - started >= 140);
  for (const socket of sockets) socket.destroy();
  silent.close();
});

test('an aborted signal fails the connect', async () => {
  const silent = createNetServer(() => {});
  const port = await listen(silent);
  const controller = new AbortController();
  const pending = connect(`ws://127.0.0.1:${port}/`, { signal: controller.signal });
  controller.abort();
  const error = await pending.then(() => null, (e: Error) => e);
  assert.is(error?.name, 'AbortError');
  silent.close();
});

test('redirects: refused by default, followed when asked, bounded by maxRedirects', async () => {
  const target = createServer({ host: '127.0.0.1', port: 0 });
  await once(target, 'listening');
  const targetPort = (target.address() as AddressInfo).port;
  const redirector = createHttpServer();
  redirector.on('upgrade', (request, socket) => {
    const location = request.url === '/loop' ? '/loop' : `ws://127.0.0.1:${targetPort}/`;
    socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  const port = await listen(redirector);

  const refused = await connect(`ws://127.0.0.1:${port}/`).then(() => null, (e: HandshakeError) => e);
  assert.is(refused?.statusCode, 302);

  const client = await connect(`ws://127.0.0.1:${port}/`, { followRedirects: true });
  assert.is(client.readyState, 1);
  client.terminate();

  const looping = await connect(`ws://127.0.0.1:${port}/loop`, { followRedirects: true, maxRedirects: 3 }).then(() => null, (e: Error) => e);
  assert.match(looping?.message ?? '', /Too many redirects/);

  redirector.close();
  await new Promise<void>((resolve) => target.close(() => resolve()));
});

test('handshakeTimeout bounds the whole handshake, redirects included: slow redirects time out instead of each hop starting the clock again', async () => {
  // Every answer is a redirect to the same place, 150 ms late: each hop is within the
  // 500 ms bound, the chain is not (10 hops would take 1.65 s and end as "Too many redirects").
  const slow = createHttpServer((request, response) => {
    setTimeout(() => response.writeHead(302, { location: request.url ?? '/' }).end(), 150);
  });
  const port = await listen(slow);
  try {
    const started = Date.now();
    const error = await connect(`ws://127.0.0.1:${port}/`, { followRedirects: true, maxRedirects: 10, handshakeTimeout: 500 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(error, HandshakeError);
    assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_TIMEOUT');
    assert.match((error as HandshakeError).message, /500 ms/);
    assert.ok(Date.now() - started >= 450, 'not before the bound');
  } finally {
    slow.closeAllConnections();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  }
});

test('IPv6 literal URLs connect over ::1 (when the machine has IPv6 loopback)', async () => {
  const server = createServer({ host: '::1', port: 0 }, (connection) => connection.on('message', (m) => connection.send(m.data)));
  const listening = await Promise.race([once(server, 'listening').then(() => true), once(server, 'error').then(() => false)]);
  if (!listening) {
    // No IPv6 on this host: the URL parsing is still checked by connecting to a closed port.
    const error = await connect('ws://[::1]:1/').then(() => null, (e: Error) => e);
    assert.ok(error, 'connect to [::1]:1 fails rather than misparsing the host');
    return;
  }
  const client = await connect(`ws://[::1]:${(server.address() as AddressInfo).port}/`);
  const reply = once<[{ data: string }]>(client, 'message');
  client.send('over v6');
  assert.is((await reply)[0].data, 'over v6');
  client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test.run();
