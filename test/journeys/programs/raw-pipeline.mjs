// A bare `net` server that does the opening handshake with wspipe/handshake and then runs
// the connection as one stream.pipeline of wspipe/transforms stages, talking to a `ws`
// client. Prints each check; exits 0 once everything it opened is closed.
import { createServer } from 'node:net';
import { once } from 'node:events';
import { pipeline, Transform } from 'node:stream';
import { WebSocket } from 'ws';
import { acceptKey, buildAcceptResponse, readUpgradeRequest, rejectSocket, validateUpgradeRequest } from 'wspipe/handshake';
import {
  Defragmenter,
  FrameSerializer,
  Fragmenter,
  HeaderParser,
  Masker,
  MessageDecoder,
  MessageEncoder,
  Unmasker,
} from 'wspipe/transforms';

/** The application: text back uppercased, binary back as is; a close is answered and ends the output. */
function reply() {
  return new Transform({
    objectMode: true,
    transform(message, _encoding, callback) {
      if (message.type === 'text') this.push({ type: 'text', data: message.data.toUpperCase() });
      else if (message.type === 'binary') this.push({ type: 'binary', data: message.data });
      else if (message.type === 'close') {
        this.push({ type: 'close', code: message.code, reason: message.reason });
        this.push(null);
      }
      callback();
    },
  });
}

async function main() {
  // RFC 6455 §1.3's worked example.
  console.log(`acceptKey(RFC 6455 sample): ${acceptKey('dGhlIHNhbXBsZSBub25jZQ==')}`);

  let pipelineEnded;
  const server = createServer(async (socket) => {
    try {
      const request = await readUpgradeRequest(socket, { timeout: 5_000 });
      const info = validateUpgradeRequest(request);
      console.log(`server read: ${request.method} ${request.url}, protocols ${info.protocols.join(',')}`);
      socket.write(buildAcceptResponse({ key: info.key, protocol: info.protocols[0] }));
      if (request.head.length > 0) socket.unshift(request.head);
      pipelineEnded = new Promise((resolve) =>
        pipeline(
          socket,
          new HeaderParser(),
          new Unmasker({ role: 'server' }),
          new Defragmenter(),
          new MessageDecoder({ maxPayload: 1 << 20 }),
          reply(),
          new MessageEncoder(),
          new Fragmenter(),
          new Masker({ role: 'server' }),
          new FrameSerializer(),
          socket,
          (error) => resolve(error ? `error ${error.message}` : 'ended cleanly'),
        ),
      );
    } catch (error) {
      rejectSocket(socket, error);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  const client = new WebSocket(`ws://127.0.0.1:${server.address().port}/raw?x=1`, ['chat']);
  await once(client, 'open');
  console.log(`ws client open, protocol ${client.protocol}`);
  client.send('hello, pipeline');
  console.log(`ws client got: ${(await once(client, 'message'))[0].toString()}`);
  client.send(Buffer.from([1, 2, 3]));
  const [bytes, isBinary] = await once(client, 'message');
  console.log(`ws client got binary ${isBinary}: ${bytes.toString('hex')}`);
  client.close(4001, 'done');
  const [code, reason] = await once(client, 'close');
  console.log(`ws client closed: ${code} ${reason.toString()}`);
  console.log(`server pipeline ${await pipelineEnded}`);
  server.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
