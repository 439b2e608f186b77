/**
 * A WebSocket extension of our own, written only against wspipe's public extension API
 * (RFC 6455 §9): `x-crc32` appends a CRC-32 of each message's payload and marks the
 * message with RSV2; the receiving side checks and strips it, and fails the connection
 * with 1007 when a message was damaged. It works with permessage-deflate (which uses
 * RSV1) on the same connection.
 *
 * Negotiated end to end between a wspipe server and client; a `ws` peer does not know it
 * and declines it cleanly (the connection simply runs without it).
 * Run: node --import tsx examples/crc32-extension.ts
 */
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import WebSocket, { WebSocketServer } from 'ws';
import {
  connect,
  createServer,
  CloseCode,
  messagePart,
  RSV2,
  WebSocketError,
  type Extension,
  type ExtensionStages,
  type MessagePart,
  type RecordSink,
  type StageCore,
} from '../src/index.js';

const NAME = 'x-crc32';
const CRC_BYTES = 4;

/** Outgoing: a data message's parts pass on, with the CRC-32 of the whole payload appended to its last. */
class AppendCrc implements StageCore<MessagePart> {
  private crc = 0;
  constructor(private readonly next: RecordSink<MessagePart>) {}

  accept(part: MessagePart): void {
    if (part.kind !== 'text' && part.kind !== 'binary') {
      this.next.accept(part); // control frames are never marked (RFC 6455 §5.5)
      return;
    }
    this.crc = crc32(part.data, this.crc);
    let data = part.data;
    if (part.last) {
      const trailer = Buffer.allocUnsafe(CRC_BYTES);
      trailer.writeUInt32BE(this.crc >>> 0);
      data = Buffer.concat([part.data, trailer]);
      this.crc = 0;
    }
    // RSV2 marks the message; the Fragmenter puts it on the first frame only.
    this.next.accept({ ...part, rsv: part.rsv | RSV2, data });
  }
}

/** Incoming: checks and strips the trailer of messages marked with RSV2; others pass untouched. */
class CheckCrc implements StageCore<MessagePart> {
  private crc = 0;
  /** The last bytes seen of the message in progress: they may be the trailer. */
  private tail: Buffer = Buffer.alloc(0);

  constructor(private readonly next: RecordSink<MessagePart>) {}

  accept(part: MessagePart): void {
    if ((part.rsv & RSV2) === 0) {
      this.next.accept(part);
      return;
    }
    const bytes = this.tail.length === 0 ? part.data : Buffer.concat([this.tail, part.data]);
    const keep = Math.min(CRC_BYTES, bytes.length);
    const payload = bytes.subarray(0, bytes.length - keep);
    this.tail = Buffer.from(bytes.subarray(bytes.length - keep));
    this.crc = crc32(payload, this.crc);
    if (part.last) {
      const expected = this.tail.length === CRC_BYTES ? this.tail.readUInt32BE(0) : -1;
      const actual = this.crc >>> 0;
      this.crc = 0;
      this.tail = Buffer.alloc(0);
      // A WebSocketError's closeCode is what the connection closes with.
      if (expected !== actual) throw new WebSocketError('X_CRC32_MISMATCH', CloseCode.INVALID_PAYLOAD, 'x-crc32: the message was damaged');
    }
    // The bit is processed: clear it, so the stages after see a plain message.
    if (payload.length !== 0 || part.last) this.next.accept(messagePart(part.kind, part.rsv & ~RSV2, payload, part.last));
  }

  finish(): void {
    if (this.tail.length !== 0) throw new WebSocketError('X_CRC32_TRUNCATED', CloseCode.ABNORMAL, 'x-crc32: input ended inside a message');
  }
}

const stages: ExtensionStages = {
  name: NAME,
  rsv: RSV2,
  decoder: (next) => new CheckCrc(next),
  encoder: (next) => new AppendCrc(next),
};

/** The extension: no parameters; offered by a client, accepted by a server when offered. */
export const crc32Extension: Extension = {
  name: NAME,
  rsv: RSV2,
  offers: () => [[]],
  accept: (response) => {
    if (response.params.length !== 0) throw new Error('x-crc32 takes no parameters');
    return stages;
  },
  respond: (offers) => (offers.some((offer) => offer.params.length === 0) ? { params: [], stages } : null),
};

async function main(): Promise<void> {
  // wspipe ↔ wspipe: negotiated, with permessage-deflate beside it.
  const server = createServer({ host: '127.0.0.1', port: 0, extensions: [crc32Extension], perMessageDeflate: true }, (connection) => {
    connection.on('message', (message) => connection.send(message.data));
  });
  const { port } = await server.listen();
  const client = await connect(`ws://127.0.0.1:${port}/`, { extensions: [crc32Extension], perMessageDeflate: true });
  console.log(`wspipe ↔ wspipe: ${client.extensions}`);
  client.send('checked and compressed '.repeat(100));
  for await (const message of client) {
    console.log(`echo of ${message.data.length} chars arrived intact`);
    break;
  }
  client.close(1000);
  await server.close();

  // A ws server does not know x-crc32: it answers without it, and both go on plainly.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await new Promise((resolve) => wss.once('listening', resolve));
  const plain = await connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { extensions: [crc32Extension] });
  console.log(`wspipe → ws: extensions "${plain.extensions}"`);
  plain.send('plain');
  for await (const message of plain) {
    console.log(`ws echoed: ${String(message.data)}`);
    break;
  }
  plain.close(1000);
  await new Promise<void>((resolve) => wss.close(() => resolve()));

  // And a ws client offering nothing gets a connection without it from our server.
  const again = createServer({ host: '127.0.0.1', port: 0, extensions: [crc32Extension] }, (connection) => connection.send('hi'));
  const address = await again.listen();
  const ws = new WebSocket(`ws://127.0.0.1:${address.port}/`);
  const data = await new Promise<Buffer>((resolve) => ws.once('message', (received) => resolve(received as Buffer)));
  console.log(`ws → wspipe: extensions "${ws.extensions}", got ${data.toString()}`);
  ws.close();
  await again.close();
}

await main();
