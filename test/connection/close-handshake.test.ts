import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createConnection, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer, ReadyState } from '../../src/index.js';
import { openPair, once } from '../helpers/pair.js';
import { frame, MASK } from '../helpers/frames.js';

test('client-initiated close: both sides report the code and reason once, cleanly', async () => {
  const pair = await openPair();
  const serverClose = once<[number, string, boolean]>(pair.serverSide, 'close');
  const clientClose = once<[number, string, boolean]>(pair.client, 'close');
  let closeEvents = 0;
  pair.serverSide.on('close', () => closeEvents++);
  pair.client.close(4001, 'bye now');
  assert.is(pair.client.readyState, ReadyState.CLOSING);
  assert.equal(await serverClose, [4001, 'bye now', true]);
  const [code, , wasClean] = await clientClose;
  assert.is(code, 4001, 'the server echoes the code');
  assert.ok(wasClean);
  assert.is(pair.client.readyState, ReadyState.CLOSED);
  pair.client.close(1000);
  assert.is(closeEvents, 1);
  await pair.close();
});

test('server-initiated close: the server closes TCP first, the client reports it clean', async () => {
  const pair = await openPair();
  const clientClose = once<[number, string, boolean]>(pair.client, 'close');
  const serverClose = once<[number, string, boolean]>(pair.serverSide, 'close');
  pair.serverSide.close(4002, 'server says bye');
  assert.equal(await clientClose, [4002, 'server says bye', true]);
  assert.equal((await serverClose).slice(0, 1), [4002]);
  await pair.close();
});

test('a close frame without a code is answered and reported as 1005', async () => {
  const pair = await openPair();
  const serverClose = once<[number, string, boolean]>(pair.serverSide, 'close');
  pair.client.close();
  assert.equal(await serverClose, [1005, '', true]);
  await pair.close();
});

test('messages sent before close() are all delivered before the close frame', async () => {
  const pair = await openPair();
  const received: string[] = [];
  pair.serverSide.on('message', (message) => received.push(message.type === 'text' ? message.data : 'binary'));
  const serverClose = once(pair.serverSide, 'close');
  for (let i = 0; i < 500; i++) pair.client.send(`message ${i}`);
  pair.client.send(Buffer.alloc(2 << 20));
  pair.client.close(1000, 'done');
  assert.is(pair.client.send('too late'), false, 'sending after close() is refused');
  await serverClose;
  assert.is(received.length, 501);
  assert.is(received[499], 'message 499');
  assert.is(received[500], 'binary');
  await pair.close();
});

test('close() with a code that may not be sent throws and changes nothing', async () => {
  const pair = await openPair();
  assert.throws(() => pair.client.close(1006), /may not be sent/);
  assert.throws(() => pair.client.close(1000, 'x'.repeat(124)), /at most 123/);
  assert.is(pair.client.readyState, ReadyState.OPEN);
  await pair.close();
});

test('close timeout: a peer that never answers the close is cut off as 1006, not clean', async () => {
  // A raw "server" that completes the handshake and then ignores everything.
  const { createServer: createNetServer } = await import('node:net');
  const { acceptKey } = await import('../../src/index.js');
  const raw = createNetServer((socket) => {
    socket.once('data', (request) => {
      const key = /sec-websocket-key: (.+)\r\n/i.exec(request.toString())![1]!;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
    });
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const { connect } = await import('../../src/index.js');
  const client = await connect(`ws://127.0.0.1:${(raw.address() as AddressInfo).port}/`, { closeTimeout: 150 });
  const started = Date.now();
  const closed = once<[number, string, boolean]>(client, 'close');
  client.close(1000);
  const [code, , wasClean] = await closed;
  assert.is(code, 1006);
  assert.is(wasClean, false);
  assert.ok(Date.now() - started >= 140);
  raw.close();
});

test('the server answers a peer close with the same code and then closes TCP', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const socket = await rawHandshake((server.address() as AddressInfo).port);
  const bytes: Buffer[] = [];
  socket.on('data', (chunk) => bytes.push(chunk));
  socket.write(frame({ opcode: 8, payload: Uint8Array.from([0x0b, 0xb8, 0x68, 0x69]), mask: MASK }));
  await once(socket, 'end');
  const reply = Buffer.concat(bytes);
  assert.equal([...reply], [0x88, 0x02, 0x0b, 0xb8], 'an unmasked close frame echoing 3000');
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a protocol error: error emitted once, close frame with the code, then the socket closes', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const errors: Error[] = [];
  const serverClose = new Promise<[number, string, boolean]>((resolve) =>
    server.once('connection', (connection) => {
      connection.on('error', (error) => errors.push(error));
      connection.once('close', (...args) => resolve(args));
    }),
  );
  const socket = await rawHandshake((server.address() as AddressInfo).port);
  const bytes: Buffer[] = [];
  socket.on('data', (chunk) => bytes.push(chunk));
  socket.write(Buffer.concat([frame({ opcode: 0xb, mask: MASK }), frame({ opcode: 0xc, mask: MASK })]));
  await once(socket, 'end');
  assert.equal([...Buffer.concat(bytes).subarray(0, 4)], [0x88, 0x02, 0x03, 0xea], 'close 1002');
  const [code, , wasClean] = await serverClose;
  assert.is(code, 1002);
  assert.is(wasClean, false);
  assert.is(errors.length, 1);
  assert.is((errors[0] as { closeCode?: number }).closeCode, 1002);
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('no error listener: bad input closes the connection without crashing', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const closed = new Promise<number>((resolve) => server.once('connection', (connection) => connection.once('close', (code) => resolve(code))));
  const socket = await rawHandshake((server.address() as AddressInfo).port);
  socket.write(frame({ opcode: 1, payload: Uint8Array.from([0xff]), mask: MASK }));
  assert.is(await closed, 1007);
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('abrupt socket destroy is reported as 1006 on the other side', async () => {
  const pair = await openPair();
  const closed = once<[number, string, boolean]>(pair.serverSide, 'close');
  pair.client.terminate();
  const [code, , wasClean] = await closed;
  assert.is(code, 1006);
  assert.is(wasClean, false);
  await pair.close();
});

test("'closing' fires when the handshake starts on either side; closeInfo tells how it ended", async () => {
  const pair = await openPair();
  const serverClosing = once<[number, string]>(pair.serverSide, 'closing');
  const clientClosing = once<[number, string]>(pair.client, 'closing');
  assert.is(pair.client.closeInfo, undefined);
  pair.client.close(4005, 'going');
  assert.equal(await clientClosing, [4005, 'going']);
  assert.equal(await serverClosing, [4005, 'going']);
  await once(pair.client, 'close');
  assert.equal(pair.client.closeInfo, { code: 4005, reason: "", wasClean: true, remote: { code: 4005, reason: "" }, error: null });
  await pair.close();
});

test('a message sent right after the handshake reaches a client that awaited connect()', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0 }, (connection) => connection.send('welcome'));
  await once(server, 'listening');
  const { connect } = await import('../../src/index.js');
  const client = await connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const [message] = await once<[{ data: string }]>(client, 'message');
  assert.is(message.data, 'welcome');
  client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('flushed() resolves once what was sent has left the process', async () => {
  const pair = await openPair();
  for (let i = 0; i < 8; i++) pair.client.send(Buffer.alloc(1 << 20));
  assert.ok(pair.client.bufferedAmount > 0);
  await pair.client.flushed();
  assert.is(pair.client.bufferedAmount, 0);
  await pair.close();
});

test('server.close() ends every connection with 1001', async () => {
  const pair = await openPair();
  const closed = once<[number, string, boolean]>(pair.client, 'close');
  await new Promise<void>((resolve) => pair.server.close(() => resolve()));
  const [code] = await closed;
  assert.is(code, 1001);
  assert.is(pair.server.listening, false);
});

async function rawHandshake(port: number): Promise<Socket> {
  const socket = createConnection(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let head = '';
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.off('data', onData);
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length) socket.unshift(rest);
        resolve();
      }
    };
    socket.on('data', onData);
  });
  assert.match(head, /^HTTP\/1\.1 101/);
  return socket;
}

test.run();
