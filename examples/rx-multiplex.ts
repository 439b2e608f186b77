/**
 * Several channels over one socket with multiplex(): one subscribe message per channel
 * however many subscribers share it, one unsubscribe after the last, and none at all
 * when the whole socket closes anyway.
 * Run: node --import tsx examples/rx-multiplex.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { createServer } from '../src/index.js';
import { connect$, jsonSerializer } from '../src/rx/index.js';

type Control = { subscribe: string } | { unsubscribe: string };
interface Tick {
  channel: string;
  n: number;
}

// A server that publishes three ticks on each channel a client subscribes to.
const server = createServer({ host: '127.0.0.1', port: 0 }, (connection) => {
  connection.on('message', (message) => {
    const control = JSON.parse(String(message.data)) as Control;
    console.log('server heard', JSON.stringify(control));
    if ('subscribe' in control) {
      for (let n = 1; n <= 3; n++) connection.send(JSON.stringify({ channel: control.subscribe, n }));
    }
  });
});
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

const socket = connect$<Tick, Control>(`ws://127.0.0.1:${port}/`, {
  serializer: jsonSerializer,
  deserializer: (message) => JSON.parse(String(message.data)) as Tick,
});
const channel = (name: string) =>
  socket.multiplex(
    () => ({ subscribe: name }),
    () => ({ unsubscribe: name }),
    (tick) => tick.channel === name,
  );

// Two subscribers share "prices"; "news" has its own.
const [prices1, prices2, news] = await Promise.all([
  firstValueFrom(channel('prices').pipe(take(3), toArray())),
  firstValueFrom(channel('prices').pipe(take(2), toArray())),
  firstValueFrom(channel('news').pipe(take(3), toArray())),
]);
console.log('prices (1):', prices1.map((t) => t.n).join(','));
console.log('prices (2):', prices2.map((t) => t.n).join(','));
console.log('news:', news.map((t) => t.n).join(','));
server.close(() => console.log('done'));
