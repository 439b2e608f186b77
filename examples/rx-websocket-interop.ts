/**
 * rxjs's own webSocket() in Node, on wspipe's WHATWG-compatible WebSocket class.
 * Run: node --import tsx examples/rx-websocket-interop.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import { createServer, WebSocket } from '../src/index.js';

const server = createServer({ host: '127.0.0.1', port: 0 }, (connection) => {
  connection.on('message', (message) => {
    const { n } = JSON.parse(String(message.data)) as { n: number };
    connection.send(JSON.stringify({ n, squared: n * n }));
  });
});
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

// rxjs types WebSocketCtor with the DOM's WebSocket; wspipe's also accepts 'nodebuffer'.
const WebSocketCtor = WebSocket as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'];
const subject = webSocket<{ n: number; squared?: number }>({ url: `ws://127.0.0.1:${port}/`, WebSocketCtor });
const answers = firstValueFrom(subject.pipe(take(3), toArray()));
for (const n of [2, 3, 4]) subject.next({ n });
for (const { n, squared } of await answers) console.log(`${n}² = ${squared}`);

// Plain browser-style code works too.
const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
ws.onopen = () => ws.send(JSON.stringify({ n: 12 }));
ws.onmessage = (event) => {
  console.log('browser-style:', event.data);
  ws.close(1000, 'bye');
};
ws.onclose = (event) => {
  console.log(`closed ${event.code} clean=${event.wasClean}`);
  server.close();
};
