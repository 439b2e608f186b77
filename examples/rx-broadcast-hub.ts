/**
 * A broadcast hub in a few lines of plain operators: every message a client sends goes
 * to all the other clients. Three connect$ clients chat through it.
 * Run: node --import tsx examples/rx-broadcast-hub.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { catchError, EMPTY, firstValueFrom, map, mergeMap, take, toArray } from 'rxjs';
import { createServer } from '../src/index.js';
import { connect$, connections$, messages$ } from '../src/rx/index.js';

const server = createServer({ host: '127.0.0.1', port: 0 });
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

// The hub.
connections$(server)
  .pipe(
    mergeMap((connection) =>
      messages$(connection).pipe(
        map((message) => ({ from: connection, message })),
        catchError(() => EMPTY), // one client dropping must not end the hub
      ),
    ),
  )
  .subscribe(({ from, message }) => {
    for (const client of server.connections) if (client !== from) client.send(message.data);
  });

// Three clients; each expects the two others' greetings.
const names = ['ada', 'bob', 'cyd'];
const clients = names.map(() => connect$(`ws://127.0.0.1:${port}/`));
const inboxes = clients.map((client) => firstValueFrom(client.pipe(take(2), toArray())));
while (server.connections.size < names.length) await new Promise((resolve) => setTimeout(resolve, 5));
clients.forEach((client, i) => client.next(`hi from ${names[i]}`));

const received = await Promise.all(inboxes);
received.forEach((messages, i) => console.log(`${names[i]} got: ${messages.map((m) => m.data).sort().join(', ')}`));
server.close(() => console.log('hub closed'));
