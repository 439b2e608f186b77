/**
 * wspipe/rx and topics: topic$() observes a topic's messages on the server side, and
 * publishTo() publishes a stream to a topic, with real ws subscribers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, from, interval, map, take, toArray } from 'rxjs';
import { publishTo, topic$ } from '../../src/rx/index.js';
import { openRecorders, received, terminateAll, type Recorder } from '../topics/clients.js';
import { eventually, guardLeaks, startServer } from './helpers.js';

guardLeaks(test);

let clients: Recorder[] = [];
test.after.each(() => {
  terminateAll(clients);
  clients = [];
});

test('topic$: every message published to the topic, by the server or a connection, from subscription on; it completes with the server', async () => {
  const ts = await startServer((connection) => {
    connection.subscribe('chat');
    connection.on('message', (message) => connection.publish('chat', message.data));
  });
  const seen: Array<{ type: string; data: string }> = [];
  let completed = false;
  const subscription = topic$(ts.server, 'chat').subscribe({
    next: (message) => seen.push({ type: message.type, data: String(message.data) }),
    complete: () => (completed = true),
  });
  ts.server.publish('chat', 'from the server');
  ts.server.publish('chat', Buffer.from('bytes'));
  ts.server.publish('other', 'not this topic');
  clients = await openRecorders(ts.url, 1);
  await eventually(() => ts.server.subscriberCount('chat') === 1);
  clients[0]!.ws.send('from a client');
  await eventually(() => seen.length === 3);
  assert.equal(seen, [
    { type: 'text', data: 'from the server' },
    { type: 'binary', data: 'bytes' },
    { type: 'text', data: 'from a client' },
  ]);
  terminateAll(clients);
  await ts.close();
  assert.ok(completed);
  assert.ok(subscription.closed);
});

test('topic$: unsubscribing stops delivery; two observers are independent', async () => {
  const ts = await startServer();
  const first = firstValueFrom(topic$(ts.server, 't').pipe(take(2), toArray()));
  const seen: string[] = [];
  const subscription = topic$(ts.server, 't').subscribe((message) => seen.push(String(message.data)));
  ts.server.publish('t', 'one');
  subscription.unsubscribe();
  ts.server.publish('t', 'two');
  assert.equal((await first).map((message) => message.data), ['one', 'two']);
  assert.equal(seen, ['one']);
  await ts.close();
});

test('publishTo: a stream published to a topic, in order; it emits how many subscribers each value reached', async () => {
  const ts = await startServer((connection) => connection.subscribe('ticks'));
  clients = await openRecorders(ts.url, 3);
  await eventually(() => ts.server.subscriberCount('ticks') === 3);
  const counts = await firstValueFrom(
    interval(1).pipe(
      take(20),
      map((i) => (i % 2 === 0 ? `tick ${i}` : Buffer.from([i]))),
      publishTo(ts.server, 'ticks'),
      toArray(),
    ),
  );
  assert.equal(counts, Array(20).fill(3));
  await received(clients, 20);
  const expected = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `t:tick ${i}` : `b:${String.fromCharCode(i)}`));
  for (const client of clients) assert.equal(client.received, expected);
  terminateAll(clients);
  await ts.close();
});

test('publishTo and topic$ check the topic and options at the call; a failed publication errors the stream', async () => {
  const ts = await startServer();
  assert.throws(() => topic$(ts.server, ''), /"topic" argument/);
  assert.throws(() => publishTo(ts.server, 42 as unknown as string), /"topic" argument must be a string/);
  assert.throws(() => publishTo(ts.server, 't', { compress: 'no' as unknown as boolean }), /"compress" option must be a boolean/);
  const failure = await firstValueFrom(from([Buffer.from([0xff])]).pipe(publishTo(ts.server, 't', { binary: false }))).catch((error: Error) => error);
  assert.match((failure as Error).message, /valid UTF-8/);
  await ts.close();
});

test.run();
