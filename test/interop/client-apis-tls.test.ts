/**
 * Our two higher-level clients over wss:// against the `ws` server on node:https, trusting
 * the test CA through the `ca` option: the WHATWG `WebSocket` class (third constructor
 * argument) and `connect$` (src/rx). `connect()` itself has the full suite in
 * ws-server-tls.test.ts; these twin its essential cases for the two APIs built on it:
 * echo of text and binary up to 16 MiB, subprotocol, permessage-deflate, ping/pong, and
 * close codes both ways.
 */
import { createServer as createHttpsServer } from 'node:https';
import { lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type WsWebSocket from 'ws';
import type { ServerOptions as WsServerOptions } from 'ws';
import { CloseError, connect$ } from '../../src/rx/index.js';
import { WebSocket, type CloseEvent } from '../../src/index.js';
import type { DataMessage } from '../../src/transforms/records.js';
import { startWsPeer, wsPeers, type WsPeer } from '../helpers/interop-cases/ws-peer-server.js';
import { INTEROP_SIZES, patternBytes, patternText, payloadMismatch, sizeLabel } from '../helpers/payloads.js';
import { testPki } from '../helpers/tls.js';
import { eventually, nextDomEvent, nextEvent, withTimeout } from '../helpers/timeouts.js';

const pki = testPki();
const peers = wsPeers();
test.after(peers.stopAll);
const wssPeer = (options: WsServerOptions = {}): (() => Promise<WsPeer>) =>
  peers.lazy(() => startWsPeer(createHttpsServer({ key: pki.key, cert: pki.cert }), options));
const echoPeer = wssPeer();
/** Picks chat.v2 when offered and accepts permessage-deflate (compressing everything). */
const negotiatingPeer = wssPeer({
  handleProtocols: (offered: Set<string>) => (offered.has('chat.v2') ? 'chat.v2' : false),
  perMessageDeflate: { threshold: 0 },
});

const DEFLATE_SIZES = [0, 125, 65536, 1 << 20];

/** The ws server's side of the next connection (listen before connecting). */
function nextServerSide(peer: WsPeer): Promise<WsWebSocket> {
  return nextEvent<[WsWebSocket]>(peer.wss, 'connection', 6000, 'the ws server to accept').then(([ws]) => ws);
}

// ---- new WebSocket(url, protocols, { ca }) ----

async function openWebSocket(url: string, protocols: string[] = [], perMessageDeflate = false): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, { ca: pki.ca, perMessageDeflate });
  ws.binaryType = 'arraybuffer';
  try {
    await nextDomEvent(ws, 'open', 6000, "the WebSocket's 'open'");
  } catch (error) {
    ws.close();
    throw error;
  }
  return ws;
}

/** Sends `data` and returns the echo, as a string or a Buffer. */
async function webSocketEcho(ws: WebSocket, data: string | Buffer): Promise<string | Buffer> {
  const reply = nextDomEvent<MessageEvent>(ws, 'message', 10_000, 'the echo on the WebSocket');
  ws.send(data);
  const { data: echoed } = await reply;
  return typeof echoed === 'string' ? echoed : Buffer.from(echoed as ArrayBuffer);
}

test('WebSocket with { ca }: text and binary messages of 0 B .. 16 MiB echo intact, with their types', async () => {
  const ws = await openWebSocket((await echoPeer()).url);
  try {
    for (const kind of ['text', 'binary'] as const) {
      for (const size of INTEROP_SIZES) {
        const data = kind === 'text' ? patternText(size, size) : patternBytes(size, size);
        assert.is(payloadMismatch(await webSocketEcho(ws, data), data), null, `${kind} ${sizeLabel(size)}`);
      }
    }
  } finally {
    ws.close();
  }
});

test('WebSocket with { ca, perMessageDeflate }: the ws server picks chat.v2, deflate is agreed, and compressed messages echo intact', async () => {
  const ws = await openWebSocket((await negotiatingPeer()).url, ['chat.v1', 'chat.v2'], true);
  try {
    assert.is(ws.protocol, 'chat.v2');
    assert.match(ws.extensions, /^permessage-deflate/);
    for (const size of DEFLATE_SIZES) {
      const text = patternText(size, size);
      assert.is(payloadMismatch(await webSocketEcho(ws, text), text), null, `text ${sizeLabel(size)}`);
      const bytes = patternBytes(size, size);
      assert.is(payloadMismatch(await webSocketEcho(ws, bytes), bytes), null, `binary ${sizeLabel(size)}`);
    }
  } finally {
    ws.close();
  }
});

test("WebSocket answers the ws server's ping with the same payload; close(4001, 'bye') reaches the ws server", async () => {
  const peer = await echoPeer();
  const accepted = nextServerSide(peer);
  const ws = await openWebSocket(peer.url);
  const server = await accepted;
  const pong = nextEvent<[Buffer]>(server, 'pong', 5000, 'the pong at the ws server');
  server.ping('are you there?');
  assert.is((await pong)[0].toString(), 'are you there?');
  const serverClose = nextEvent<[number, Buffer]>(server, 'close', 5000, "the ws server's 'close'");
  const closed = nextDomEvent<CloseEvent>(ws, 'close', 5000, "the WebSocket's 'close'");
  ws.close(4001, 'bye');
  const [code, reason] = await serverClose;
  assert.equal([code, reason.toString()], [4001, 'bye']);
  const event = await closed;
  assert.equal([event.code, event.wasClean], [4001, true]);
});

test("the ws server closes with 4002/'srv' after a last message → WebSocket gets the message, then CloseEvent 4002/'srv', clean", async () => {
  const peer = await echoPeer();
  const accepted = nextServerSide(peer);
  const ws = await openWebSocket(peer.url);
  const server = await accepted;
  const messages: unknown[] = [];
  ws.addEventListener('message', (event) => messages.push((event as MessageEvent).data));
  const closed = nextDomEvent<CloseEvent>(ws, 'close', 5000, "the WebSocket's 'close'");
  server.send('last words');
  server.close(4002, 'srv');
  const event = await closed;
  assert.equal([event.code, event.reason, event.wasClean], [4002, 'srv', true]);
  assert.equal(messages, ['last words']);
});

// ---- connect$(url, { ca }) ----

test('connect$ with { ca }: text and binary messages of 0 B .. 16 MiB echo intact, with their types', async () => {
  const subject = connect$((await echoPeer()).url, { ca: pki.ca });
  const received: DataMessage[] = [];
  const subscription = subject.subscribe({ next: (message) => received.push(message), error: () => {} });
  try {
    let expected = 0;
    for (const kind of ['text', 'binary'] as const) {
      for (const size of INTEROP_SIZES) {
        const data = kind === 'text' ? patternText(size, size) : patternBytes(size, size);
        subject.next(data);
        await eventually(() => received.length > expected, 10_000, `the echo of ${kind} ${sizeLabel(size)}`);
        const message = received[expected++]!;
        assert.is(message.type, kind, `${kind} ${sizeLabel(size)}: type`);
        assert.is(payloadMismatch(message.data, data), null, `${kind} ${sizeLabel(size)}`);
      }
    }
  } finally {
    subscription.unsubscribe();
  }
});

test('connect$ with { ca, protocols, perMessageDeflate }: chat.v2 and deflate agreed; a ping gets its pong; complete() closes with 1000', async () => {
  const peer = await negotiatingPeer();
  const accepted = nextServerSide(peer);
  const subject = connect$(peer.url, { ca: pki.ca, protocols: ['chat.v1', 'chat.v2'], perMessageDeflate: true });
  const all = lastValueFrom(subject.pipe(toArray()));
  const server = await accepted;
  await eventually(() => subject.connection !== null, 5000, 'connect$ to open');
  const connection = subject.connection!;
  assert.is(connection.protocol, 'chat.v2');
  assert.match(connection.extensions, /^permessage-deflate/);
  const pong = nextEvent<[Buffer]>(connection, 'pong', 5000, 'the pong');
  connection.ping('rx ping');
  assert.is((await pong)[0].toString(), 'rx ping');
  for (const size of DEFLATE_SIZES) subject.next(patternText(size, size));
  const serverClose = nextEvent<[number, Buffer]>(server, 'close', 10_000, "the ws server's 'close'");
  subject.complete();
  assert.is((await serverClose)[0], 1000);
  const echoed = await withTimeout(all, 10_000, 'connect$ to complete');
  assert.equal(
    echoed.map((message, i) => `${message.type} ${payloadMismatch(message.data, patternText(DEFLATE_SIZES[i]!, DEFLATE_SIZES[i]!))}`),
    DEFLATE_SIZES.map(() => 'text null'),
    'every message sent before complete() came back, intact and in order',
  );
});

test("the ws server closes with 4002/'srv' → connect$ subscribers get a CloseError 4002/'srv', clean (no reconnection by default)", async () => {
  const peer = await echoPeer();
  const accepted = nextServerSide(peer);
  const subject = connect$(peer.url, { ca: pki.ca });
  const outcome = lastValueFrom(subject).then(
    () => 'completed',
    (error: unknown) => error,
  );
  const server = await accepted;
  server.close(4002, 'srv');
  const error = await withTimeout(outcome, 5000, 'connect$ to end');
  assert.instance(error, CloseError);
  assert.equal([(error as CloseError).closeCode, (error as CloseError).reason, (error as CloseError).wasClean], [4002, 'srv', true]);
});

test.run();
