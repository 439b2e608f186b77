/** The WHATWG-style WebSocket class of the main entry, and rxjs's own webSocket() on top of it. */
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, take, toArray } from 'rxjs';
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import { CloseEvent, ErrorEvent, WebSocket } from '../../src/index.js';
import { guardLeaks, closeOf, echo, eventually, startServer } from './helpers.js';

guardLeaks(test);

function closed(ws: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => ws.addEventListener('close', (event) => resolve(event as CloseEvent), { once: true }));
}

function throwsDom(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, DOMException);
    assert.is((error as DOMException).name, name);
    return;
  }
  assert.unreachable(`expected ${name}`);
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

test('close(): code must be 1000 or 3000-4999, reason at most 123 bytes; a lone reason sends 1000', async () => {
  const ts = await startServer();
  const ws = new WebSocket(ts.url);
  await once(ws, 'open');
  for (const code of [999, 1001, 1011, 2999, 5000, 0]) throwsDom(() => ws.close(code), 'InvalidAccessError');
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

test('after close, send() discards and bufferedAmount grows', async () => {
  const received: string[] = [];
  const ts = await startServer((connection) => connection.on('message', (m) => received.push(String(m.data))));
  const ws = new WebSocket(ts.url);
  await once(ws, 'open');
  ws.send('kept');
  ws.close();
  const before = ws.bufferedAmount;
  ws.send('12345');
  ws.send(new Uint8Array(10));
  assert.is(ws.bufferedAmount, before + 15);
  await closed(ws);
  ws.send('abc');
  assert.is(ws.bufferedAmount, 18); // what was sent is flushed; what was discarded still counts
  assert.equal(received, ['kept']);
  await ts.close();
});

test('close() while CONNECTING fails the connection: error, then close 1006', async () => {
  const ts = await startServer();
  const ws = new WebSocket(ts.url);
  const events: string[] = [];
  ws.onerror = (event) => events.push(`error ${event instanceof ErrorEvent}`);
  ws.onopen = () => events.push('open');
  const event = closed(ws);
  ws.close();
  assert.is(ws.readyState, WebSocket.CLOSING);
  const { code, wasClean } = await event;
  assert.equal([code, wasClean], [1006, false]);
  assert.equal(events, ['error true']);
  await ts.close();
});

test('a refused handshake fires error then close 1006; an abnormal drop fires close 1006 alone', async () => {
  const refusing = await startServer(undefined, { verifyClient: () => false });
  const ws = new WebSocket(refusing.url);
  const errors: unknown[] = [];
  ws.onerror = (event) => errors.push(event.error);
  const event = await closed(ws);
  assert.is(event.code, 1006);
  assert.match(String(errors[0]), /401/);
  await refusing.close();

  const ts = await startServer();
  const ws2 = new WebSocket(ts.url);
  await once(ws2, 'open');
  ws2.onerror = (event) => errors.push(event.error);
  await eventually(() => ts.accepted.length === 1);
  ts.accepted[0]!.terminate();
  const end = await closed(ws2);
  assert.equal([end.code, end.wasClean], [1006, false]);
  assert.is(errors.length, 1); // not a failure in the spec's sense: no second error event
  await ts.close();
});

test('constructor: SyntaxError for bad URLs and protocols', () => {
  throwsDom(() => new WebSocket('ftp://127.0.0.1/'), 'SyntaxError');
  throwsDom(() => new WebSocket('ws://127.0.0.1/#frag'), 'SyntaxError');
  throwsDom(() => new WebSocket('ws://127.0.0.1/#'), 'SyntaxError');
  throwsDom(() => new WebSocket('not a url'), 'SyntaxError');
  throwsDom(() => new WebSocket('ws://127.0.0.1/', ['a', 'a']), 'SyntaxError');
  throwsDom(() => new WebSocket('ws://127.0.0.1/', 'has space'), 'SyntaxError');
});

test("rxjs's own webSocket() runs on wspipe's WebSocket", async () => {
  const ts = await startServer((connection) => {
    connection.send(JSON.stringify({ hello: 'rxjs' }));
    echo(connection);
  });
  const WebSocketCtor = WebSocket as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'];
  const subject = webSocket<{ hello?: string; n?: number }>({ url: ts.url, WebSocketCtor });
  const values = firstValueFrom(subject.pipe(take(3), toArray()));
  subject.next({ n: 1 });
  subject.next({ n: 2 });
  assert.equal(await values, [{ hello: 'rxjs' }, { n: 1 }, { n: 2 }]);
  await eventually(() => ts.accepted.length === 1 && ts.accepted[0]!.readyState === 3);

  // multiplex, the rxjs way, also works over it
  const topic = subject.multiplex(
    () => ({ n: 10 }),
    () => ({ n: 11 }),
    (value) => value.n === 10,
  );
  assert.equal(await firstValueFrom(topic), { n: 10 });
  await eventually(() => ts.accepted.length === 2 && ts.accepted[1]!.readyState === 3);
  await ts.close();
});

test.run();
