/**
 * Reconnection with exponential backoff and jitter: the server drops the first
 * connection; the client's state$ shows it reconnecting, the open and close observers
 * fire for each connection, and a value sent during the outage is delivered after it.
 * Run: node --import tsx examples/rx-reconnect.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import { createServer } from '../src/index.js';
import { connect$ } from '../src/rx/index.js';

let accepted = 0;
const server = createServer({ host: '127.0.0.1', port: 0 }, (connection) => {
  accepted++;
  if (accepted === 1) {
    connection.terminate(); // a dropped connection: 1006 on the client
    return;
  }
  connection.on('message', (message) => connection.send(`server got "${String(message.data)}"`));
});
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

const socket = connect$(`ws://127.0.0.1:${port}/`, {
  reconnect: { initialDelay: 20, factor: 2, jitter: 0.5, maxRetries: 5 },
  openObserver: { next: () => console.log('open') },
  closeObserver: { next: ({ code }) => console.log(`closed with ${code}`) },
});
const states: string[] = [];
socket.state$.subscribe((state) => states.push(state));

const reply = firstValueFrom(socket.pipe(filter((message) => message.type === 'text')));
await firstValueFrom(socket.state$.pipe(filter((state) => state === 'reconnecting')));
socket.next('sent while offline'); // waits in the buffer for the next connection
console.log((await reply).data);
await firstValueFrom(socket.state$.pipe(filter((state) => state === 'closed')));
console.log('states:', states.join(' → '));
server.close(() => console.log('done'));
