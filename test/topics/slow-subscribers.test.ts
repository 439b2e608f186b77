/**
 * Slow subscribers: a client that stops reading while messages are published. Its send
 * buffer grows until the next message would take it past `maxBackpressure`; from then on
 * it is skipped (counted, reported) or closed with 1013, while the other subscribers get
 * every message. Asserted by counts, never by timing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection, SlowSubscriberInfo } from '../../src/index.js';
import { ReadyState } from '../../src/index.js';
import { RawPeer, type ServerFrame } from '../helpers/raw-peer.js';
import { closeOf, startListening, type EchoServer } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { openRecorders, received, terminateAll, type Recorder } from './clients.js';

const MAX_BACKPRESSURE = 256 * 1024;
const MESSAGE_BYTES = 64 * 1024;
/** Kernel buffers absorb a few MiB first; this many messages is far more than they hold. */
const MAX_ROUNDS = 1000;

let server: EchoServer | null = null;
let clients: Recorder[] = [];
let peer: RawPeer | null = null;
test.after.each(async () => {
  peer?.destroy();
  peer = null;
  terminateAll(clients);
  clients = [];
  await server?.stop();
  server = null;
});

interface Setup {
  slow: Connection;
  events: Array<{ connection: Connection; info: SlowSubscriberInfo }>;
  /** Publishes message `round` and waits until every fast client has it. */
  publishRound(round: number): Promise<number>;
}

async function setUp(onBackpressure: 'skip' | 'close'): Promise<Setup> {
  const connections: Connection[] = [];
  server = await startListening({ maxBackpressure: MAX_BACKPRESSURE, onBackpressure, closeTimeout: 10_000 }, (connection) => {
    connections.push(connection);
    connection.subscribe('feed');
  });
  const events: Setup['events'] = [];
  server.server.on('slowSubscriber', (connection, info) => events.push({ connection, info }));
  clients = await openRecorders(server.url, 3);
  peer = await RawPeer.open(server.port);
  // The slow subscriber: a client that reads nothing more after the handshake.
  peer.socket.pause();
  await eventually(() => server!.server.subscriberCount('feed') === 4, 5000, 'four subscribers');
  const slow = connections.find((connection) => connection.remotePort === peer!.socket.localPort)!;
  const publishRound = async (round: number): Promise<number> => {
    const written = server!.server.publish('feed', message(round));
    await received(clients, round + 1);
    return written;
  };
  return { slow, events, publishRound };
}

/** Message `round`: its number, then bytes that say it again. */
function message(round: number): Buffer {
  const bytes = Buffer.alloc(MESSAGE_BYTES, round % 251);
  bytes.writeUInt32BE(round, 0);
  return bytes;
}

/** The round of each message a raw peer read, checking that it arrived whole and intact. */
function rounds(frames: readonly ServerFrame[]): number[] {
  return frames.map((frame) => {
    assert.is(frame.opcode, 0x2);
    const round = frame.payload.readUInt32BE(0);
    assert.ok(frame.payload.equals(message(round)), `message ${round} intact`);
    return round;
  });
}

test("'skip': the slow subscriber is skipped (event + counter) until it catches up; the others get every message", async () => {
  const { slow, events, publishRound } = await setUp('skip');
  let round = 0;
  while (events.length === 0 && round < MAX_ROUNDS) assert.ok((await publishRound(round++)) >= 3);
  assert.ok(events.length === 1, `no slow subscriber after ${round} messages of ${MESSAGE_BYTES} bytes`);
  const firstSkipped = round - 1;
  // Twenty more messages: all skipped for the slow one, all delivered to the others.
  for (let i = 0; i < 20; i++) assert.is(await publishRound(round++), 3);
  assert.is(events.length, 21);
  assert.is(slow.counters.messagesSkipped, 21);
  for (const { connection, info } of events) {
    assert.is(connection, slow);
    assert.is(info.topic, 'feed');
    assert.is(info.action, 'skip');
    assert.is(info.messageBytes, MESSAGE_BYTES);
    assert.ok(info.bufferedAmount + MESSAGE_BYTES > MAX_BACKPRESSURE);
  }
  // Its memory stays bounded: what was accepted before the bound was reached.
  assert.ok(slow.bufferedAmount <= MAX_BACKPRESSURE, `bufferedAmount ${slow.bufferedAmount}`);
  assert.is(slow.readyState, ReadyState.OPEN);
  for (const client of clients) assert.is(client.received.length, round);

  // It reads again: it gets what was written before the skips, then new messages again.
  peer!.socket.resume();
  const frames: ServerFrame[] = [];
  while (frames.length < firstSkipped) frames.push(await peer!.readFrame(5000));
  await eventually(() => slow.bufferedAmount === 0, 5000, 'the slow subscriber to catch up');
  assert.is(await publishRound(round++), 4);
  frames.push(await peer!.readFrame(5000));
  assert.equal(rounds(frames), [...Array.from({ length: firstSkipped }, (_, index) => index), round - 1]);
  assert.is(peer!.unread, 0);
});

test("'close': the slow subscriber is closed with 1013 after what it was sent; the others get every message", async () => {
  const { slow, events, publishRound } = await setUp('close');
  const closed = closeOf(slow, 15_000);
  let round = 0;
  while (events.length === 0 && round < MAX_ROUNDS) await publishRound(round++);
  assert.is(events.length, 1, `no slow subscriber after ${round} messages of ${MESSAGE_BYTES} bytes`);
  assert.is(events[0]!.connection, slow);
  assert.is(events[0]!.info.action, 'close');
  assert.is(slow.readyState, ReadyState.CLOSING);
  const delivered = round - 1;
  for (let i = 0; i < 10; i++) assert.is(await publishRound(round++), 3);
  assert.is(events.length, 1, 'a closing subscriber is no longer reported');
  assert.is(slow.counters.messagesSkipped, 1);
  // Reading again, it finds the messages written before, then the close frame.
  peer!.socket.resume();
  const frames: ServerFrame[] = [];
  for (let frame = await peer!.readFrame(5000); frame.opcode !== 0x8; frame = await peer!.readFrame(5000)) frames.push(frame);
  assert.equal(rounds(frames), Array.from({ length: delivered }, (_, index) => index));
  await peer!.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf5])); // the client's close frame: 1013, mask key 0
  const { code } = await closed;
  assert.is(code, 1013);
  assert.is(server!.server.subscriberCount('feed'), 3);
  for (const client of clients) assert.is(client.received.length, round);
});

test('a message larger than maxBackpressure alone is sent when nothing waits', async () => {
  server = await startListening({ maxBackpressure: 1024 }, (connection) => connection.subscribe('big'));
  const skipped: SlowSubscriberInfo[] = [];
  server.server.on('slowSubscriber', (_, info) => skipped.push(info));
  clients = await openRecorders(server.url, 2);
  await eventually(() => server!.server.subscriberCount('big') === 2, 5000, 'two subscribers');
  assert.is(server.server.publish('big', Buffer.alloc(64 * 1024, 7)), 2);
  await received(clients, 1);
  assert.equal(skipped, []);
});

test.run();
