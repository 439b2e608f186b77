/**
 * Just a server and a client, no stages in sight: an echo server, a client that sends a
 * few messages and reads the replies with `for await`, then a clean close.
 * Run: node --import tsx examples/server-and-client.ts
 */
import type { AddressInfo } from 'node:net';
import { connect, createServer } from '../src/index.js';

const server = createServer({ host: '127.0.0.1', port: 0, maxPayload: 1 << 20 }, (connection) => {
  connection.on('message', (message) => connection.send(message.data));
});
await new Promise<void>((resolve) => server.once('listening', () => resolve()));

const client = await connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
for (const text of ['one', 'two', 'three']) client.send(text);
let received = 0;
for await (const message of client) {
  console.log(`echo: ${message.type === 'text' ? message.data : `${message.data.length} bytes`}`);
  if (++received === 3) client.close(1000, 'bye');
}
console.log(`closed: ${JSON.stringify(client.closeInfo)}`);
server.close();
