/**
 * wspipe's WHATWG WebSocket class in use, against wspipe's server: events in order through
 * handler attributes and listeners, binaryType on received data, send() ordering across
 * Blobs, close() as the server sees it, a refused handshake and a full send buffer.
 * (Side-by-side checks with Node's client are in the other files of this folder.)
 */
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloseEvent, ErrorEvent, WebSocket } from '../../src/index.js';
import { throwsDom } from '../helpers/dom-exception.js';
import { guardLeaks, closeOf, echo, eventually, startServer } from '../rx/helpers.js';

guardLeaks(test);

function closed(ws: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => ws.addEventListener('close', (event) => resolve(event as CloseEvent), { once: true }));
}

test('open, messages and close, through handler attributes and listeners, in order', async () => {
  const ts = await startServer(
    (connection) => {
      connection.send('welcome');
      echo(connection);
    },
    { handleProtocols: ['chat'] },
  );
  const ws = new WebSocket(ts.url.replace('ws:', 'http:'), ['superchat', 'chat']);
  assert.is(ws.url, ts.url);
  assert.is(ws.readyState, WebSocket.CONNECTING);
  assert.is(ws.CONNECTING, 0);
  assert.is(WebSocket.CLOSED, 3);
  const log: string[] = [];
  ws.onopen = function (this: WebSocket) {
    log.push(`open ${this.readyState} ${this.protocol}`);
    this.send('ping');
  };
  ws.addEventListener('message', (event) => log.push(`listener ${(event as MessageEvent).data}`));
  ws.onmessage = (event) => {
    log.push(`handler ${event.data}`);
    if (event.data === 'ping') ws.close(3001, 'done');
  };
  const event = await closed(ws);
  assert.equal(log, ['open 1 chat', 'listener welcome', 'handler welcome', 'listener ping', 'handler ping']);
  assert.instance(event, CloseEvent);
  assert.equal([event.code, event.reason, event.wasClean], [3001, '', true]); // the reason of the close frame received (RFC 6455 §7.1.6)
  assert.is(ws.readyState, WebSocket.CLOSED);
  await ts.close();
});

test('handler attributes: replacing keeps one listener, null removes it', async () => {
  const ts = await startServer((connection) => connection.send('x'));
  const ws = new WebSocket(ts.url);
  const calls: string[] = [];
  ws.onmessage = () => calls.push('first');
  ws.onmessage = () => calls.push('second');
  assert.is(typeof ws.onmessage, 'function');
  ws.onerror = () => calls.push('error');
  ws.onerror = null;
  assert.is(ws.onerror, null);
  await once(ws, 'message');
  assert.equal(calls, ['second']);
  ws.close();
  await closed(ws);
  await ts.close();
});

test('binaryType: blob by default, arraybuffer, nodebuffer; unknown values are ignored', async () => {
  const ts = await startServer((connection) => connection.on('message', () => connection.send(Buffer.from([1, 2, 3]))));
  const ws = new WebSocket(ts.url);
  await once(ws, 'open');
  const receive = async (): Promise<unknown> => {
    const [event] = (await Promise.all([once(ws, 'message'), ws.send('again')]))[0] as [MessageEvent];
    return event.data;
  };
  assert.is(ws.binaryType, 'blob');
  const blob = await receive();
  assert.instance(blob, Blob);
  assert.equal([...new Uint8Array(await (blob as Blob).arrayBuffer())], [1, 2, 3]);
  ws.binaryType = 'arraybuffer';
  const arrayBuffer = await receive();
  assert.instance(arrayBuffer, ArrayBuffer);
  assert.equal([...new Uint8Array(arrayBuffer as ArrayBuffer)], [1, 2, 3]);
  ws.binaryType = 'nodebuffer';
  ws.binaryType = 'bogus' as 'blob';
  assert.is(ws.binaryType, 'nodebuffer');
  const buffer = await receive();
  assert.ok(Buffer.isBuffer(buffer));
  ws.close();
  await closed(ws);
  await ts.close();
});

test('send(): InvalidStateError while CONNECTING; Blob, ArrayBuffer and views keep their order', async () => {
  const seen: string[] = [];
  const ts = await startServer((connection) => connection.on('message', (m) => seen.push(`${m.type}:${m.type === 'text' ? m.data : m.data.toString()}`)));
  const ws = new WebSocket(ts.url);
  throwsDom(() => ws.send('too early'), 'InvalidStateError');
  await once(ws, 'open');
  ws.send('one');
  ws.send(new Blob(['two']));
  ws.send('three');
  ws.send(new TextEncoder().encode('four').buffer);
  ws.send(new Uint8Array(Buffer.from('xfivex')).subarray(1, 5));
  await eventually(() => seen.length === 5);
  assert.equal(seen, ['text:one', 'binary:two', 'text:three', 'binary:four', 'binary:five']);
  ws.close();
  await closed(ws);
  await ts.close();
});

test('close(): what the server receives; a lone reason is sent with 1000; a second close() is ignored', async () => {
  const ts = await startServer();
  const ws = new WebSocket(ts.url);
  await once(ws, 'open');
  throwsDom(() => ws.close(1000, 'é'.repeat(62)), 'SyntaxError'); // 124 bytes
  assert.is(ws.readyState, WebSocket.OPEN);
  await eventually(() => ts.accepted.length === 1);
  const serverSaw = closeOf(ts.accepted[0]!);
  const clientSaw = closed(ws);
  ws.close(undefined, 'x'.repeat(123));
  assert.is(ws.readyState, WebSocket.CLOSING);
  ws.close(4000); // already closing: ignored
  assert.equal(await serverSaw, { code: 1000, reason: 'x'.repeat(123), wasClean: true });
  assert.is((await clientSaw).code, 1000);
  await ts.close();
});

test('a refused handshake: the ErrorEvent carries the cause; readyState is CLOSED in both handlers', async () => {
  const refusing = await startServer(undefined, { verifyClient: () => false });
  const ws = new WebSocket(refusing.url);
  const seen: string[] = [];
  ws.onerror = (event) => seen.push(`error ${event instanceof ErrorEvent} ${ws.readyState} ${String(event.error)}`);
  ws.onclose = (event) => seen.push(`close ${event.code} ${ws.readyState}`);
  await closed(ws);
  assert.is(seen.length, 2);
  assert.match(seen[0]!, /^error true 3 .*401/);
  assert.is(seen[1], 'close 1006 3');
  await refusing.close();
});

test('a send the connection cannot buffer ("flagged as full"): the connection is closed, error then close 1006', async () => {
  const ts = await startServer();
  const ws = new WebSocket(ts.url, [], { maxBufferedAmount: 1024 });
  await once(ws, 'open');
  const errors: unknown[] = [];
  ws.onerror = (event) => errors.push(event.error);
  const event = closed(ws);
  // A lone message may exceed the bound (nothing else is buffered); a second one behind it may not.
  ws.send(new Uint8Array(2048));
  ws.send(new Uint8Array(2048));
  const { code, wasClean } = await event;
  assert.equal([code, wasClean], [1006, false]);
  assert.is((errors[0] as { code?: string } | undefined)?.code, 'WS_ERR_SEND_BUFFER_FULL');
  assert.ok(ws.bufferedAmount >= 2048, 'the second was never sent, so it stays counted');
  await ts.close();
});

test.run();
