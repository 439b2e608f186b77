/**
 * Topics in one process, with real ws clients: fan-out to hundreds of subscribers, text and
 * binary in order, connection.publish() skipping its publisher, server-side listeners,
 * several topics, and subscriptions racing with closes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../src/index.js';
import { nextConnection, startListening } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { Opened, openRecorders, received, type Recorder } from './clients.js';

const opened = new Opened();
test.after.each(opened.stop);

test('300 subscribers get every message, text and binary, in the order published; publish() counts them', async () => {
  opened.server = await startListening({}, (connection) => connection.subscribe('news'));
  opened.clients = await openRecorders(opened.server.url, 300);
  await eventually(() => opened.server!.server.subscriberCount('news') === 300, 5000, 'every connection to subscribe');
  const expected: string[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 2 === 0) {
      assert.is(opened.server.server.publish('news', `text ${i} ✓`), 300);
      expected.push(`t:text ${i} ✓`);
    } else {
      const bytes = Buffer.from([i, 0, 255, i]);
      assert.is(opened.server.server.publish('news', bytes), 300);
      expected.push(`b:${bytes.toString('latin1')}`);
    }
  }
  // `{ binary }` as send(): a string sent as binary, bytes (valid UTF-8) as text.
  assert.is(opened.server.server.publish('news', 'as bytes', { binary: true }), 300);
  assert.is(opened.server.server.publish('news', Buffer.from('as text'), { binary: false }), 300);
  expected.push(`b:as bytes`, `t:as text`);
  assert.is(opened.server.server.publish('nobody-here', 'lost'), 0);
  await received(opened.clients, expected.length);
  for (const client of opened.clients) assert.equal(client.received, expected);
});

test("connection.publish() reaches every subscriber but the publisher; server.subscribe() listeners see each message", async () => {
  opened.server = await startListening({}, (connection) => {
    connection.subscribe('chat');
    connection.on('message', (message) => connection.publish('chat', message.data));
  });
  const heard: string[] = [];
  const stop = opened.server.server.subscribe('chat', (message) => heard.push(`${message.type}:${String(message.data)}`));
  opened.clients = await openRecorders(opened.server.url, 20);
  await eventually(() => opened.server!.server.subscriberCount('chat') === 20, 5000, 'every connection to subscribe');
  opened.clients.forEach((client, index) => client.ws.send(`from ${index}`));
  await received(opened.clients, 19);
  await eventually(() => heard.length === 20, 5000, 'the listener to hear 20 messages');
  opened.clients.forEach((client, index) => {
    assert.is(client.received.length, 19);
    assert.not.ok(client.received.includes(`t:from ${index}`), `client ${index} got its own message`);
    assert.equal(new Set(client.received).size, 19);
  });
  assert.equal([...heard].sort(), opened.clients.map((_, index) => `text:from ${index}`).sort());
  stop();
  opened.server.server.publish('chat', 'after stop');
  await received(opened.clients, 20);
  assert.is(heard.length, 20);
});

test('several topics: each message reaches its own topic\'s subscribers; unsubscribe() stops it; topics lists them', async () => {
  opened.server = await startListening({}, () => {});
  const connections: Connection[] = [];
  opened.server.server.on('connection', (connection) => connections.push(connection));
  opened.clients = await openRecorders(opened.server.url, 3);
  await eventually(() => connections.length === 3, 5000, 'three connections');
  const [a, b, both] = connections.sort((x, y) => (x.remotePort ?? 0) - (y.remotePort ?? 0));
  const byPort = (connection: Connection): Recorder => opened.clients.find((client) => (client.ws as unknown as { _socket: { localPort: number } })._socket.localPort === connection.remotePort)!;
  assert.ok(a!.subscribe('a'));
  assert.not.ok(a!.subscribe('a'), 'subscribing twice returns false');
  b!.subscribe('b');
  both!.subscribe('a');
  both!.subscribe('b');
  assert.equal([...both!.topics].sort(), ['a', 'b']);
  assert.is(opened.server.server.publish('a', 'to a'), 2);
  assert.is(opened.server.server.publish('b', 'to b'), 2);
  assert.ok(both!.unsubscribe('a'));
  assert.not.ok(both!.unsubscribe('a'), 'unsubscribing twice returns false');
  assert.equal([...both!.topics], ['b']);
  assert.is(opened.server.server.publish('a', 'a again'), 1);
  assert.is(opened.server.server.publish('b', 'b again'), 2);
  await received([byPort(a!), byPort(b!)], 2);
  await received([byPort(both!)], 3);
  assert.equal(byPort(a!).received, ['t:to a', 't:a again']);
  assert.equal(byPort(b!).received, ['t:to b', 't:b again']);
  assert.equal(byPort(both!).received, ['t:to a', 't:to b', 't:b again']);
});

test('subscriptions racing with closes: closed connections leave their topics; subscribe() while closing or closed is refused; publishing goes on', async () => {
  opened.server = await startListening({}, (connection) => connection.subscribe('race'));
  const connections: Connection[] = [];
  opened.server.server.on('connection', (connection) => connections.push(connection));
  opened.clients = await openRecorders(opened.server.url, 100);
  await eventually(() => opened.server!.server.subscriberCount('race') === 100, 5000, 'every connection to subscribe');
  const refusedWhileClosing: boolean[] = [];
  const refusedAfterClose: boolean[] = [];
  for (const connection of connections.slice(0, 25)) {
    connection.once('closing', () => refusedWhileClosing.push(connection.subscribe('late')));
    connection.once('close', () => refusedAfterClose.push(connection.subscribe('later')));
  }
  // Clients go away in every way while messages are published each tick.
  let published = 0;
  const publishing = setInterval(() => {
    published++;
    opened.server!.server.publish('race', `tick ${published}`);
  }, 1);
  opened.clients.slice(0, 25).forEach((client) => client.ws.close(1000));
  opened.clients.slice(25, 50).forEach((client) => client.ws.terminate());
  connections.slice(50, 60).forEach((connection) => connection.close(4000, 'server side'));
  connections.slice(60, 70).forEach((connection) => connection.terminate());
  try {
    await eventually(() => opened.server!.server.subscriberCount('race') === 30, 5000, 'the closed connections to leave the topic');
  } finally {
    clearInterval(publishing);
  }
  assert.equal(refusedWhileClosing, Array(25).fill(false));
  assert.equal(refusedAfterClose, Array(25).fill(false));
  for (const connection of connections.slice(0, 70)) {
    assert.is(connection.topics.size, 0);
    assert.not.ok(connection.subscribe('again'));
  }
  assert.is(opened.server.server.subscriberCount('late'), 0);
  assert.is(opened.server.server.subscriberCount('again'), 0);
  assert.is(opened.server.server.publish('race', 'last'), 30);
  // Every remaining subscriber got every message, in order.
  await received(opened.clients.slice(70), published + 1);
  const expected = [...Array.from({ length: published }, (_, index) => `t:tick ${index + 1}`), 't:last'];
  for (const client of opened.clients.slice(70)) assert.equal(client.received, expected);
});

test('a subscription made in the connection handler sees messages published right after the handshake', async () => {
  opened.server = await startListening({}, (connection) => {
    connection.subscribe('early');
    opened.server!.server.publish('early', 'first');
  });
  const next = nextConnection(opened.server.server);
  opened.clients = await openRecorders(opened.server.url, 1);
  await next;
  await received(opened.clients, 1);
  assert.equal(opened.clients[0]!.received, ['t:first']);
});

test.run();
