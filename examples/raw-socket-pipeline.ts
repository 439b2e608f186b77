/**
 * Piping a raw socket through the stages: a bare `net` server reads the upgrade request,
 * answers 101, and then the connection is one `stream.pipeline`:
 *
 *   socket → HeaderParser → Unmasker → Defragmenter → MessageDecoder
 *          → reply (uppercases text, answers pings and closes)
 *          → MessageEncoder → Fragmenter → Masker → FrameSerializer → socket
 *
 * The socket sits at both ends as a `ProtocolSocket`: when a stage fails (the peer broke
 * the protocol), the peer gets the close frame with the error's code before TCP closes.
 *
 * A `ws` client (a peer we did not write) talks to it. Run: node --import tsx examples/raw-socket-pipeline.ts
 */
import { createServer, type AddressInfo } from 'node:net';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import WebSocket from 'ws';
import {
  Defragmenter,
  FrameSerializer,
  Fragmenter,
  HeaderParser,
  Masker,
  MessageDecoder,
  MessageEncoder,
  ProtocolSocket,
  Unmasker,
  buildAcceptResponse,
  readUpgradeRequest,
  rejectSocket,
  validateUpgradeRequest,
  WebSocketError,
  type Message,
  type OutgoingMessage,
} from '../src/index.js';

/** The application: one reply per message; a close is answered and ends the output (RFC 6455 §5.5.1). */
class Reply extends Transform {
  constructor() {
    super({ objectMode: true });
  }
  override _transform(message: Message, _encoding: BufferEncoding, callback: TransformCallback): void {
    let reply: OutgoingMessage | null = null;
    if (message.type === 'text') reply = { type: 'text', data: message.data.toUpperCase() };
    else if (message.type === 'binary') reply = { type: 'binary', data: message.data };
    else if (message.type === 'ping') reply = { type: 'pong', data: message.data };
    if (message.type === 'close') {
      this.push({ type: 'close', code: message.code, reason: '' });
      this.push(null);
    } else if (reply) {
      this.push(reply);
    }
    callback();
  }
}

const server = createServer(async (socket) => {
  try {
    const request = await readUpgradeRequest(socket, { timeout: 5_000 });
    const info = validateUpgradeRequest(request);
    socket.write(buildAcceptResponse({ key: info.key }));
    if (request.head.length > 0) socket.unshift(request.head);
    const wire = new ProtocolSocket(socket, { role: 'server' });
    pipeline(
      wire,
      new HeaderParser(),
      new Unmasker({ role: 'server' }),
      new Defragmenter(),
      new MessageDecoder({ maxPayload: 1 << 20 }),
      new Reply(),
      new MessageEncoder(),
      new Fragmenter(),
      new Masker({ role: 'server' }),
      new FrameSerializer(),
      wire,
      (error) => {
        if (error) console.log(`pipeline ended: ${error instanceof WebSocketError ? error.closeCode : ''} ${error.message}`);
      },
    );
  } catch (error) {
    rejectSocket(socket, error);
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
await new Promise((resolve) => client.once('open', resolve));
client.send('hello, pipeline');
console.log(`ws client got: ${String(await new Promise((resolve) => client.once('message', resolve)))}`);
client.close(1000, 'done');
const [code] = await new Promise<[number]>((resolve) => client.once('close', (closeCode) => resolve([closeCode])));
console.log(`closed with ${code}`);

server.close();
