/**
 * Custom stages in a connection's chains, in both forms:
 * - a logging stage as a StageCore (`core`): it runs inside the fused chain, called
 *   directly between Defragmenter and MessageDecoder (it sees every MessagePart: kind,
 *   reserved bits, size, whether it ends the message), at no stream cost;
 * - a metrics stage as a Transform (`create`), for code that already is one: it counts
 *   the outgoing frames and payload bytes on their way to FrameSerializer.
 * Run: node --import tsx examples/custom-stages.ts
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type FramePart, type MessagePart, type RecordSink, type StageCore } from '../src/index.js';

/** Logs each message part passing from Defragmenter to MessageDecoder, and passes it on. */
class PartLogger implements StageCore<MessagePart> {
  constructor(
    private readonly label: string,
    private readonly next: RecordSink<MessagePart>,
  ) {}
  accept(part: MessagePart): void {
    console.log(`${this.label}: ${part.kind} part, ${part.data.length} bytes${part.last ? ', last' : ''}`);
    this.next.accept(part);
  }
}

/** Counts frames and payload bytes on their way to FrameSerializer. */
class FrameMetrics extends Transform {
  frames = 0;
  bytes = 0;
  constructor() {
    super({ objectMode: true });
  }
  override _transform(part: FramePart, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.frames++;
    this.bytes += part.data.length;
    callback(null, part);
  }
}

// One client in this example, so one metrics stage instance is enough to read from.
const metrics = new FrameMetrics();
const server = createServer({
  host: '127.0.0.1',
  port: 0,
  stages: {
    decode: [{ after: 'Defragmenter', core: (next: RecordSink<MessagePart>) => new PartLogger('server received', next) }],
    encode: [{ after: 'Fragmenter', create: () => metrics }],
  },
});
server.on('connection', (connection) => {
  connection.on('message', (message) => connection.send(message.type === 'text' ? message.data.toUpperCase() : message.data));
});
await new Promise<void>((resolve) => server.once('listening', () => resolve()));

const client = await connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { fragmentSize: 4 });
const reply = new Promise((resolve) => client.once('message', resolve));
client.send('hello stages');
console.log(`client got: ${JSON.stringify(await reply)}`);
client.close(1000);
await new Promise<void>((resolve) => client.once('close', () => resolve()));
console.log(`server sent ${metrics.frames} frames, ${metrics.bytes} payload bytes`);
server.close();
