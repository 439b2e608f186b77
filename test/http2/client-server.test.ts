/**
 * WebSockets over HTTP/2 (RFC 8441), our client against our server attached to a
 * node:http2 secure server: many sockets on one session, messages of 16 MiB and more both
 * ways under HTTP/2 flow control, closing one WebSocket closes its stream only, a GOAWAY
 * closes the session's WebSockets with 1001, and the same port keeps taking HTTP/1.1
 * upgrades (allowHTTP1).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as http2Connect, constants } from 'node:http2';
import WebSocket from 'ws';
import { connect, type Connection, type DataMessage, type MessageStream } from '../../src/index.js';
import { startH2Site, type H2Site } from '../helpers/h2.js';
import { patternBytes, patternText, sha256Hex } from '../helpers/payloads.js';
import { closeOf } from '../helpers/servers.js';
import { delay, eventually, nextEvent } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();
const test = suite('WebSockets over HTTP/2: wspipe client and server');
const sites: H2Site[] = [];
async function site(options: Parameters<typeof startH2Site>[0] = {}): Promise<H2Site> {
  const started = await startH2Site(options);
  sites.push(started);
  return started;
}
test.after.each(async () => {
  for (const started of sites.splice(0)) await started.stop();
});

function nextMessage(connection: Connection, ms = 10_000): Promise<DataMessage> {
  return nextEvent<[DataMessage]>(connection, 'message', ms, 'a message').then(([message]) => message);
}

test('eight WebSockets open as streams of one HTTP/2 session; subprotocol and permessage-deflate are negotiated on each', async () => {
  const h2 = await site({ wss: { perMessageDeflate: true, handleProtocols: ['chat'] } });
  const clients = await Promise.all(
    Array.from({ length: 8 }, () => connect(h2.url, { ca: pki.ca, http2: true, protocols: ['chat'], perMessageDeflate: true })),
  );
  assert.is(h2.sessions.length, 1, 'one HTTP/2 session carries them all');
  assert.is(h2.connections.length, 8);
  for (const connection of [...clients, ...h2.connections]) {
    assert.is(connection.transport, 'h2');
    assert.is(connection.protocol, 'chat');
    assert.match(connection.extensions, /^permessage-deflate/);
  }
  // One TCP connection: every server-side connection sees the same peer port.
  assert.is(new Set(h2.connections.map((connection) => connection.remotePort)).size, 1);
  const replies = await Promise.all(
    clients.map(async (client, index) => {
      const reply = nextMessage(client);
      client.send(patternText(3000, index));
      return (await reply).data;
    }),
  );
  replies.forEach((reply, index) => assert.is(reply, patternText(3000, index)));
  for (const client of clients) client.close(1000);
  await Promise.all(clients.map((client) => closeOf(client)));
});

test('16 MiB and 24 MiB messages go both ways under HTTP/2 flow control', async () => {
  const h2 = await site({ wss: { maxPayload: 64 << 20 } });
  const client = await connect(h2.url, { ca: pki.ca, http2: true, maxPayload: 64 << 20 });
  await eventually(() => h2.connections.length === 1, 5000, 'the server connection');
  for (const size of [16 << 20, 24 << 20]) {
    const payload = patternBytes(size, size);
    const echoed = nextMessage(client, 30_000);
    client.send(payload);
    const message = await echoed;
    assert.is(message.type, 'binary');
    assert.is(sha256Hex(message.data as Buffer), sha256Hex(payload), `${size} bytes came back whole`);
  }
  client.close(1000);
  await closeOf(client);
});

test('a receiver that stops reading stops the sender: the stream\'s flow-control window holds the rest on the sending side', async () => {
  const h2 = await site();
  const client = await connect(h2.url, { ca: pki.ca, http2: true, streamMessages: true });
  await eventually(() => h2.connections.length === 1, 5000, 'the server connection');
  const server = h2.connections[0]!;
  const payload = patternBytes(16 << 20, 7);
  const [stream] = await Promise.all([nextEvent<[MessageStream]>(client, 'stream', 5000, 'the message stream').then(([s]) => s), Promise.resolve(server.send(payload))]);
  // Nothing reads the message: the client pauses the HTTP/2 stream, sends no WINDOW_UPDATE,
  // and the server cannot send more than what the windows and buffers let through.
  await delay(500);
  const held = server.bufferedAmount;
  assert.ok(held > (16 << 20) - (4 << 20), `the server still holds most of the message (${held} bytes buffered)`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  assert.is(sha256Hex(Buffer.concat(chunks)), sha256Hex(payload));
  await eventually(() => server.bufferedAmount === 0, 5000, 'the server buffer to drain');
  client.close(1000);
  await closeOf(client);
});

test('closing one WebSocket ends its stream, not the session: the others keep talking', async () => {
  const h2 = await site();
  const [first, second] = await Promise.all([connect(h2.url, { ca: pki.ca, http2: true }), connect(h2.url, { ca: pki.ca, http2: true })]);
  const firstClosed = closeOf(first!);
  first!.close(1000, 'one');
  assert.equal(await firstClosed, { code: 1000, reason: '', wasClean: true });
  await eventually(() => h2.connections[0]!.readyState === 3, 5000, 'the server side of the first to close');
  assert.is(h2.sessions.length, 1);
  assert.is(h2.sessions[0]!.closed, false, 'the session is still open');
  const reply = nextMessage(second!);
  second!.send('still here');
  assert.is((await reply).data, 'still here');
  // A third WebSocket joins the same session.
  const third = await connect(h2.url, { ca: pki.ca, http2: true });
  assert.is(h2.sessions.length, 1);
  third.close(1000);
  second!.close(1000);
  await Promise.all([closeOf(second!), closeOf(third)]);
});

test('the shared session closes with its last WebSocket; the next connect opens a new one', async () => {
  const h2 = await site();
  const client = await connect(h2.url, { ca: pki.ca, http2: true });
  client.close(1000);
  await closeOf(client);
  await eventually(() => h2.sessions[0]!.closed || h2.sessions[0]!.destroyed, 5000, 'the client to close the idle session');
  const again = await connect(h2.url, { ca: pki.ca, http2: true });
  assert.is(h2.sessions.length, 2);
  again.close(1000);
  await closeOf(again);
});

test('a GOAWAY from the server closes the session\'s WebSockets with 1001, cleanly; new ones go to a new session', async () => {
  const h2 = await site();
  const clients = await Promise.all([connect(h2.url, { ca: pki.ca, http2: true }), connect(h2.url, { ca: pki.ca, http2: true })]);
  const closes = clients.map((client) => closeOf(client));
  h2.sessions[0]!.goaway(constants.NGHTTP2_NO_ERROR);
  for (const close of await Promise.all(closes)) assert.equal(close, { code: 1001, reason: 'HTTP/2 session going away', wasClean: true });
  await eventually(() => h2.connections.every((connection) => connection.readyState === 3), 5000, 'the server sides to close');
  const next = await connect(h2.url, { ca: pki.ca, http2: true });
  assert.is(h2.sessions.length, 2, 'a new session after the GOAWAY');
  next.close(1000);
  await closeOf(next);
});

test('a session closed by the client (GOAWAY to the server) closes the server\'s WebSockets with 1001', async () => {
  const h2 = await site();
  const session = http2Connect(h2.origin, { ca: pki.ca });
  const client = await connect(h2.url, { ca: pki.ca, http2: session });
  await eventually(() => h2.connections.length === 1, 5000, 'the server connection');
  const serverClosed = closeOf(h2.connections[0]!);
  const clientClosed = closeOf(client);
  session.close();
  assert.equal(await serverClosed, { code: 1001, reason: 'HTTP/2 session going away', wasClean: true });
  assert.is((await clientClosed).code, 1001);
  await nextEvent(session, 'close', 5000, 'the session to close once its streams ended');
});

test('refusals before the 200 are HTTP/2 responses on their stream (404, 401, 403, 426, 400); the session carries on', async () => {
  const h2 = await site({ wss: { verifyClient: ({ request }) => (request.headers['x-token'] === 'ok' ? true : request.headers['x-token'] === 'none' ? false : { status: 403, reason: 'Forbidden token' }) } });
  const session = http2Connect(h2.origin, { ca: pki.ca });
  session.on('error', () => {});
  const ask = (headers: Record<string, string>): Promise<{ status: number; body: string; version?: string }> =>
    new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': '/ws', ':authority': `localhost:${h2.port}`, 'sec-websocket-version': '13', ...headers }, { endStream: false });
      let body = '';
      let status = 0;
      let version: string | undefined;
      stream.on('response', (response) => {
        status = Number(response[':status']);
        version = response['sec-websocket-version'] as string | undefined;
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => {
        stream.close();
        resolve({ status, body, ...(version !== undefined && { version }) });
      });
      stream.on('error', reject);
    });
  await nextEvent(session, 'remoteSettings', 5000, "the server's SETTINGS");
  assert.is(session.remoteSettings.enableConnectProtocol, true, 'attaching turned SETTINGS_ENABLE_CONNECT_PROTOCOL on');
  assert.equal(await ask({ ':path': '/elsewhere', 'x-token': 'ok' }), { status: 404, body: 'No WebSocket endpoint at /elsewhere' });
  assert.equal(await ask({ 'x-token': 'none' }), { status: 401, body: 'Unauthorized' });
  assert.equal(await ask({ 'x-token': 'bad' }), { status: 403, body: 'Forbidden token' });
  assert.equal(await ask({ 'x-token': 'ok', 'sec-websocket-version': '8' }), {
    status: 426,
    body: 'Unsupported or missing Sec-WebSocket-Version: 13 is required',
    version: '13',
  });
  assert.equal(await ask({ 'x-token': 'ok', 'sec-websocket-protocol': 'a, a' }), { status: 400, body: 'Invalid Sec-WebSocket-Protocol header: a name is repeated' });
  assert.is(h2.connections.length, 0);
  // The same session then opens a WebSocket.
  const client = await connect(h2.url, { ca: pki.ca, http2: session, headers: { 'x-token': 'ok' } });
  assert.is(client.transport, 'h2');
  assert.is(h2.sessions.length, 1);
  const failed = await connect(h2.url, { ca: pki.ca, http2: session, headers: { 'x-token': 'bad' } }).then(() => null, (error: Error) => error);
  assert.is((failed as { statusCode?: number })?.statusCode, 403);
  assert.match(failed?.message ?? '', /Unexpected server response: 403 Forbidden: Forbidden token/);
  client.close(1000);
  await closeOf(client);
  assert.is(session.closed, false, "connect() never closes the caller's session");
  session.close();
});

test('the same port keeps taking HTTP/1.1 upgrades (allowHTTP1): a ws client and ours without http2', async () => {
  const h2 = await site();
  const ws = new WebSocket(h2.url, { ca: pki.ca });
  await nextEvent(ws, 'open', 5000, 'ws to open');
  const reply = nextEvent<[Buffer]>(ws, 'message', 5000);
  ws.send('over http/1.1');
  assert.is(String((await reply)[0]), 'over http/1.1');
  const ours = await connect(h2.url, { ca: pki.ca });
  assert.is(ours.transport, 'http/1.1');
  assert.equal(h2.connections.map((connection) => connection.transport), ['http/1.1', 'http/1.1']);
  assert.is(h2.sessions.length, 0, 'no HTTP/2 session was opened');
  ws.close();
  ours.close(1000);
  await closeOf(ours);
});

test.run();
