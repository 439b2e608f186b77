/**
 * Custom stages in a connection's chains: a logging stage between Defragmenter and
 * MessageDecoder (it sees every MessagePart: kind, size, whether it ends the message),
 * and a metrics stage before FrameSerializer (it counts outgoing frames and payload
 * bytes). Run: node --import tsx examples/custom-stages.ts
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type FramePart, type MessagePart } from '../src/index.js';

/** Logs each message part passing from Defragmenter to MessageDecoder. */
class PartLogger extends Transform {
  constructor(private readonly label: string) {
    super({ objectMode: true });
  }
  override _transform(part: MessagePart, _encoding: BufferEncoding, callback: TransformCallback): void {
    console.log(`${this.label}: ${part.kind} part, ${part.data.length} bytes${part.last ? ', last' : ''}`);
    callback(null, part);
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
    decode: [{ after: 'Defragmenter', create: () => new PartLogger('server received') }],
    encode: [{ after: 'Masker', create: () => metrics }],
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
