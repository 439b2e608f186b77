/**
 * The bounded outbound buffer: values sent before the connection opens wait in it; when
 * it is full the overflow policy decides ('drop-oldest' here) and every dropped value
 * is reported on dropped$; flushed() waits until what was sent has reached the socket.
 * Run: node --import tsx examples/rx-backpressure.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from '../src/index.js';
import { connect$ } from '../src/rx/index.js';

const received: string[] = [];
const server = createServer({ host: '127.0.0.1', port: 0 }, (connection) => {
  connection.on('message', (message) => received.push(String(message.data)));
});
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

const socket = connect$(`ws://127.0.0.1:${port}/`, { buffer: { limit: 3, overflow: 'drop-oldest' } });
socket.dropped$.subscribe(({ value, reason }) => console.log(`dropped ${String(value)} (${reason})`));

for (let i = 1; i <= 5; i++) socket.next(`update ${i}`); // not connected yet: only the latest 3 are kept
const subscription = socket.subscribe(); // connects; the buffer is sent on open
await socket.flushed();
while (received.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
console.log('server received:', received.join(', '));
subscription.unsubscribe(); // last subscriber: closes with 1000
server.close(() => console.log('done'));
