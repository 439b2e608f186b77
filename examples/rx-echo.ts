/**
 * RxJS on both sides: the server echoes with connections$ + messages$, the client is a
 * connect$ subject (an Observable of replies and an Observer of what to send).
 * Run: node --import tsx examples/rx-echo.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { catchError, EMPTY, lastValueFrom, mergeMap, take, tap, toArray } from 'rxjs';
import { createServer } from '../src/index.js';
import { connect$, connections$, messages$ } from '../src/rx/index.js';

const server = createServer({ host: '127.0.0.1', port: 0 });
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

// Server: every message goes back to its sender.
connections$(server)
  .pipe(mergeMap((connection) => messages$(connection).pipe(tap((message) => connection.send(message.data)), catchError(() => EMPTY))))
  .subscribe();

// Client: values sent before the connection opens wait in the (bounded) buffer.
const socket = connect$(`ws://127.0.0.1:${port}/`);
socket.next('hello');
socket.next('from');
socket.next('rxjs');
const replies = await lastValueFrom(socket.pipe(take(3), toArray())); // the last unsubscribe closes with 1000
console.log('replies:', replies.map((message) => message.data).join(' '));

server.close(() => console.log('server closed'));
