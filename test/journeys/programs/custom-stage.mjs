// Custom stages inserted into a wspipe server's chains with the `stages` option: one on
// the decode side (after Defragmenter: it sees each MessagePart) counts the parts of a
// message, one on the encode side (after MessageEncoder) uppercases outgoing text. A `ws`
// client sends a message in two frames and observes both stages in the reply.
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { WebSocket } from 'ws';
import { createServer } from 'wspipe';

async function main() {
  const partsSeen = [];
  const server = createServer(
    {
      host: '127.0.0.1',
      port: 0,
      stages: {
        decode: [
          {
            after: 'Defragmenter',
            create: () =>
              new Transform({
                objectMode: true,
                transform(part, _encoding, callback) {
                  partsSeen.push(`${part.kind}${part.last ? '(last)' : ''}`);
                  callback(null, part);
                },
              }),
          },
        ],
        encode: [
          {
            after: 'MessageEncoder',
            create: () =>
              new Transform({
                objectMode: true,
                transform(part, _encoding, callback) {
                  if (part.kind === 'text') part = { ...part, data: Buffer.from(part.data.toString('utf8').toUpperCase()) };
                  callback(null, part);
                },
              }),
          },
        ],
      },
    },
    (connection) => {
      connection.on('message', (message) => {
        if (message.type === 'text') connection.send(`${message.data} after ${partsSeen.length} parts`);
      });
    },
  );
  await once(server, 'listening');

  const client = new WebSocket(`ws://127.0.0.1:${server.address().port}/`);
  await once(client, 'open');
  client.send('hello ', { fin: false });
  client.send('stages', { fin: true });
  console.log(`ws client got: ${(await once(client, 'message'))[0].toString()}`);
  console.log(`server decode stage saw: ${partsSeen.join(' ')}`);
  client.close(1000);
  const [code] = await once(client, 'close');
  console.log(`ws client closed: ${code}`);
  await new Promise((resolve) => server.close(resolve));
  console.log('server closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
