/**
 * A published message is framed once and the same bytes go to every subscriber: read on
 * the wire by raw clients, plain and fragmented, and compressed once for subscribers that
 * agreed on permessage-deflate without context takeover. Subscribers with context
 * takeover, and without compression, get the same message correctly (ws clients).
 */
import { constants, inflateRawSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ServerOptions } from '../../src/index.js';
import { RawPeer, type ServerFrame } from '../helpers/raw-peer.js';
import { startListening, type EchoServer } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { openRecorders, received, terminateAll, type Recorder } from './clients.js';

const TEXT = 'the quick brown fox jumps over the lazy dog; '.repeat(200);

/** RFC 7692 §7.2.2: a message's payload with the tail appended, inflated from an empty window. */
function inflated(payload: Buffer): string {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
}

let server: EchoServer | null = null;
let peers: RawPeer[] = [];
let clients: Recorder[] = [];
test.after.each(async () => {
  for (const peer of peers) peer.destroy();
  peers = [];
  terminateAll(clients);
  clients = [];
  await server?.stop();
  server = null;
});

async function subscribedPeers(options: ServerOptions, count: number, extensions?: string): Promise<RawPeer[]> {
  server = await startListening(options, (connection) => connection.subscribe('t'));
  const spec = extensions === undefined ? {} : { headers: { 'Sec-WebSocket-Extensions': extensions } };
  peers = await Promise.all(Array.from({ length: count }, () => RawPeer.open(server!.port, { spec })));
  await eventually(() => server!.server.subscriberCount('t') === count, 5000, `${count} subscribers`);
  return peers;
}

async function framesOf(peer: RawPeer, count: number): Promise<ServerFrame[]> {
  const frames: ServerFrame[] = [];
  while (frames.length < count) frames.push(await peer.readFrame(5000));
  return frames;
}

test('plain and fragmented: every subscriber reads the very same frames', async () => {
  const [first, second] = await subscribedPeers({ fragmentSize: 1000 }, 2);
  assert.is(server!.server.publish('t', Buffer.alloc(2500, 9)), 2);
  assert.is(server!.server.publish('t', 'short'), 2);
  const expected: ServerFrame[] = [
    { fin: false, rsv: 0, opcode: 0x2, payload: Buffer.alloc(1000, 9) },
    { fin: false, rsv: 0, opcode: 0x0, payload: Buffer.alloc(1000, 9) },
    { fin: true, rsv: 0, opcode: 0x0, payload: Buffer.alloc(500, 9) },
    { fin: true, rsv: 0, opcode: 0x1, payload: Buffer.from('short') },
  ];
  assert.equal(await framesOf(first!, 4), expected);
  assert.equal(await framesOf(second!, 4), expected);
});

test('permessage-deflate without context takeover: compressed once, the same bytes for both subscribers', async () => {
  const [first, second] = await subscribedPeers({ perMessageDeflate: true }, 2, 'permessage-deflate; server_no_context_takeover');
  assert.is(server!.server.publish('t', TEXT), 2);
  assert.is(server!.server.publish('t', 'below the threshold'), 2);
  const [one, two] = await Promise.all([framesOf(first!, 2), framesOf(second!, 2)]);
  assert.equal(one, two);
  const [compressed, plain] = one!;
  assert.is(compressed!.rsv, 0x4, 'RSV1: compressed (RFC 7692 §6)');
  assert.ok(compressed!.payload.length < TEXT.length / 10, `compressed to ${compressed!.payload.length} bytes`);
  assert.is(inflated(compressed!.payload), TEXT);
  assert.equal(plain, { fin: true, rsv: 0, opcode: 0x1, payload: Buffer.from('below the threshold') });
});

test('compress: false and compress: true, as send()', async () => {
  const [first, second] = await subscribedPeers({ perMessageDeflate: true }, 2, 'permessage-deflate; server_no_context_takeover');
  server!.server.publish('t', TEXT, { compress: false });
  server!.server.publish('t', 'tiny', { compress: true });
  const [one, two] = await Promise.all([framesOf(first!, 2), framesOf(second!, 2)]);
  assert.equal(one, two);
  assert.is(one[0]!.rsv, 0);
  assert.is(one[0]!.payload.toString(), TEXT);
  assert.is(one[1]!.rsv, 0x4);
  assert.is(inflated(one[1]!.payload), 'tiny');
});

test('mixed subscribers: context takeover (own compressor), no context takeover (shared) and no compression all get every message', async () => {
  server = await startListening({ perMessageDeflate: true }, (connection) => {
    connection.subscribe('t');
    // The connection's own compressed messages around the published ones: its window stays in step with its peer's.
    connection.on('message', (message) => connection.send(`own ${String(message.data)} ${TEXT}`));
  });
  const takeover = await openRecorders(server.url, 2, { perMessageDeflate: true });
  const shared = await openRecorders(server.url, 2, { perMessageDeflate: { serverNoContextTakeover: true } });
  const plain = await openRecorders(server.url, 2);
  clients = [...takeover, ...shared, ...plain];
  await eventually(() => server!.server.subscriberCount('t') === 6, 5000, 'six subscribers');
  assert.match(String((takeover[0]!.ws as unknown as { extensions: string }).extensions), /permessage-deflate/);
  const expected: string[] = [];
  for (let i = 0; i < 6; i++) {
    for (const client of clients) client.ws.send(String(i));
    await received(clients, expected.length + 1);
    expected.push(`t:own ${i} ${TEXT}`);
    assert.is(server.server.publish('t', `${i}: ${TEXT}`), 6);
    assert.is(server.server.publish('t', `small ${i}`), 6);
    expected.push(`t:${i}: ${TEXT}`, `t:small ${i}`);
    await received(clients, expected.length);
  }
  for (const client of clients) assert.equal(client.received, expected);
});

test.run();
