/**
 * The Redis broker against a real redis-server (test/helpers/redis.ts): two servers in
 * this process, each with its own broker, and ws clients on each. What crosses, in what
 * order, once; what Redis is asked to read; publishing while Redis is down (held in order,
 * bounded); duplicates and foreign entries in a stream; a reader that loses its connection
 * catching up from the last entry it read; trimming and expiry of the streams.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from 'redis';
import type { Connection } from '../../src/index.js';
import { createRedisBroker, type RedisBroker, type RedisBrokerOptions } from '../../src/redis/index.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startListening, type EchoServer } from '../helpers/servers.js';
import { eventually, nextEvent, withTimeout } from '../helpers/timeouts.js';
import { openRecorders, received, terminateAll, type Recorder } from '../topics/clients.js';

interface Node {
  server: EchoServer;
  broker: RedisBroker;
  clients: Recorder[];
  connections: Connection[];
}

let redis: RedisServer | null = null;
let nodes: Node[] = [];
let prefix = '';
let testIndex = 0;
const raw = (): ReturnType<typeof createClient> => createClient({ url: redis!.url, RESP: 3 });

test.before.each(async () => {
  redis ??= await startRedis();
  prefix = `test${++testIndex}:`;
});
test.after.each(async () => {
  for (const node of nodes) {
    terminateAll(node.clients);
    await node.server.stop().catch(() => {});
  }
  nodes = [];
  if (redis) await redis.restart(); // each test starts with an empty, running Redis
});
test.after(async () => {
  await redis?.stop();
});

/** A server with a broker on `prefix`, and `clients` ws clients subscribed to 'room'. */
async function node(clients: number, brokerOptions: RedisBrokerOptions = {}): Promise<Node> {
  const broker = createRedisBroker({ url: redis!.url, prefix, maxReconnectDelay: 100, ...brokerOptions });
  const connections: Connection[] = [];
  const server = await startListening({ broker }, (connection) => {
    connections.push(connection);
    connection.subscribe('room');
  });
  const entry: Node = { server, broker, clients: [], connections };
  nodes.push(entry);
  const subscribed = clients > 0 ? nextEvent(broker, 'subscribed', 5000, "the broker's subscription") : null;
  await broker.ready();
  entry.clients = await openRecorders(server.url, clients);
  await subscribed;
  return entry;
}

/** The messages of one publisher prefix, in the order received. */
function from(recorder: Recorder, name: string): string[] {
  return recorder.received.filter((message) => message.startsWith(`t:${name}`));
}

function series(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `t:${name}${index}`);
}

test('messages cross to the other server in per-publisher order, once; a server does not deliver its own publications again', async () => {
  const a = await node(3);
  const b = await node(3);
  for (let i = 0; i < 200; i++) {
    assert.is(a.server.server.publish('room', `a${i}`), 3);
    assert.is(b.server.server.publish('room', `b${i}`), 3);
  }
  const all = [...a.clients, ...b.clients];
  await received(all, 400);
  // A marker from b, published once a's messages went through Redis: a's own would have come back before it.
  b.server.server.publish('room', 'end');
  await received(all, 401);
  for (const client of all) {
    assert.equal(from(client, 'a'), series('a', 200));
    assert.equal(from(client, 'b'), series('b', 200));
    assert.is(client.received.length, 401);
    assert.is(client.received.at(-1), 't:end');
  }
});

test("Redis is asked to read only the topics with subscribers here (XREAD's keys, seen with MONITOR)", async () => {
  const a = await node(1);
  const monitor = raw();
  const reads: string[] = [];
  await monitor.connect();
  await monitor.monitor((line: string) => {
    if (line.includes('"XREAD"')) reads.push(line);
  });
  try {
    const [connection] = a.connections;
    const key = (topic: string): string => `"${prefix}${topic}"`;
    connection!.subscribe('other');
    await eventually(() => reads.some((line) => line.includes(key('other'))), 5000, 'an XREAD of the new topic');
    assert.ok(reads.every((line) => !line.includes(key('nobody'))));
    connection!.unsubscribe('room');
    connection!.unsubscribe('other');
    const stop = a.server.server.subscribe('listened', () => {});
    await eventually(() => reads.at(-1)?.includes(key('listened')) === true, 5000, 'an XREAD of the listened topic alone');
    assert.not.match(reads.at(-1)!, key('room'));
    assert.not.match(reads.at(-1)!, key('other'));
    stop();
  } finally {
    await monitor.close();
  }
});

test('Redis down: publications wait, in order, and reach the other server when it is back; local subscribers get them at once', async () => {
  const a = await node(2);
  const b = await node(2);
  await redis!.kill();
  for (let i = 0; i < 50; i++) assert.is(a.server.server.publish('room', `a${i}`), 2);
  await received(a.clients, 50);
  assert.is(a.broker.pending, 50);
  // While Redis is down the broker reports each failed reconnection as an 'error': expected
  // here, so wait for 'ready' alone (nextEvent would reject on the first of them).
  const back = withTimeout(new Promise<{ redisLostData: boolean }>((resolve) => a.broker.once('ready', resolve)), 10_000, 'the broker to reconnect');
  await redis!.restart();
  assert.equal(await back, { redisLostData: true });
  await received(b.clients, 50);
  await eventually(() => a.broker.pending === 0, 5000, 'nothing pending');
  for (const client of [...a.clients, ...b.clients]) assert.equal(client.received, series('a', 50));
});

test('the backlog is bounded: past maxPending (or maxPendingBytes) publish() throws WS_ERR_BROKER_BACKLOG and the message goes nowhere', async () => {
  const a = await node(1, { maxPending: 10, maxPendingBytes: 1000 });
  const b = await node(1);
  await redis!.kill();
  for (let i = 0; i < 10; i++) a.server.server.publish('room', `a${i}`);
  assert.throws(() => a.server.server.publish('room', 'one too many'), (error: Error & { code?: string }) => error.code === 'WS_ERR_BROKER_BACKLOG' && /maxPending 10/.test(error.message));
  await redis!.restart();
  await received(b.clients, 10);
  await eventually(() => a.broker.pending === 0, 5000, 'nothing pending');
  a.server.server.publish('room', 'x'.repeat(600));
  await eventually(() => a.broker.pending === 0, 5000, 'x confirmed');
  await redis!.kill();
  a.server.server.publish('room', 'y'.repeat(600));
  assert.throws(() => a.server.server.publish('room', 'z'.repeat(600)), (error: Error & { code?: string }) => error.code === 'WS_ERR_BROKER_BACKLOG');
  await redis!.restart();
  await received(b.clients, 12);
  const expected = [...series('a', 10), `t:${'x'.repeat(600)}`, `t:${'y'.repeat(600)}`];
  assert.equal(a.clients[0]!.received, expected);
  assert.equal(b.clients[0]!.received, expected);
});

test('a publication in the stream twice (sent again after a lost reply) is delivered once; entries of other writers are ignored', async () => {
  const a = await node(1);
  const b = await node(0);
  // b publishes until a delivers: a's reader is past that point in the stream.
  await eventually(() => {
    b.server.server.publish('room', 'sync');
    return a.clients[0]!.received.length > 0;
  }, 5000, 'a to read the stream');
  const writer = raw();
  await writer.connect();
  try {
    const key = `${prefix}room`;
    const entry = (seq: number, text: string): string[] => ['o', 'elsewhere', 's', String(seq), 'k', 't', 'd', text];
    await writer.sendCommand(['XADD', key, '*', ...entry(1, 'once')]);
    await writer.sendCommand(['XADD', key, '*', ...entry(1, 'once')]);
    await writer.sendCommand(['XADD', key, '*', 'unrelated', 'entry']);
    await writer.sendCommand(['XADD', key, '*', ...entry(2, 'twice')]);
    await writer.sendCommand(['XADD', key, '*', ...entry(2, 'twice')]);
    await writer.sendCommand(['XADD', key, '*', ...entry(1, 'stale')]);
  } finally {
    await writer.close();
  }
  b.server.server.publish('room', 'end');
  await eventually(() => a.clients[0]!.received.at(-1) === 't:end', 5000, 'the end marker');
  assert.equal(a.clients[0]!.received.filter((message) => message !== 't:sync'), ['t:once', 't:twice', 't:end']);
});

test("a reader that loses its connection goes on from the last entry it read: what was published meanwhile arrives", async () => {
  const a = await node(2);
  const b = await node(0);
  const admin = raw();
  await admin.connect();
  try {
    b.server.server.publish('room', 'before');
    await received(a.clients, 1);
    // Kill a's blocked XREAD connection (the only client reading), then publish while it is away.
    const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
    const id = /^id=(\d+) .* cmd=xread/m.exec(list)?.[1];
    assert.ok(id, list);
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', id!]);
    for (let i = 0; i < 100; i++) b.server.server.publish('room', `b${i}`);
    await received(a.clients, 101);
    for (const client of a.clients) assert.equal(client.received, ['t:before', ...series('b', 100)]);
  } finally {
    await admin.close();
  }
});

test("server.close(): what the connections' close listeners publish still reaches the other server; publishing after it stays local", async () => {
  const a = await node(2);
  const b = await node(1);
  for (const connection of a.connections) connection.on('close', () => a.server.server.publish('room', 'left'));
  await a.server.server.close({ timeout: 2000 });
  await received(b.clients, 2);
  assert.equal(b.clients[0]!.received, ['t:left', 't:left']);
  assert.is(a.server.server.publish('room', 'after close'), 0);
  b.server.server.publish('room', 'end');
  await eventually(() => b.clients[0]!.received.at(-1) === 't:end', 5000, 'the end marker');
  assert.equal(b.clients[0]!.received, ['t:left', 't:left', 't:end']);
});

test('streams are trimmed to about maxStreamLength entries and expire streamTtl after their last publication', async () => {
  const a = await node(0, { maxStreamLength: 100, streamTtl: 60_000 });
  for (let i = 0; i < 1000; i++) a.server.server.publish('trimmed', `m${i}`);
  await eventually(() => a.broker.pending === 0, 5000, 'every publication confirmed');
  const admin = raw();
  await admin.connect();
  try {
    const length = Number(await admin.sendCommand(['XLEN', `${prefix}trimmed`]));
    assert.ok(length >= 100 && length < 300, `XLEN ${length}`);
    const ttl = Number(await admin.sendCommand(['PTTL', `${prefix}trimmed`]));
    assert.ok(ttl > 50_000 && ttl <= 60_000, `PTTL ${ttl}`);
  } finally {
    await admin.close();
  }
});

test.run();
