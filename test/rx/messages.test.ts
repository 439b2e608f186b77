import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { connect } from '../../src/client/connect.js';
import { CloseError, connections$, messages$ } from '../../src/rx/index.js';
import type { DataMessage } from '../../src/transforms/records.js';
import { guardLeaks, closeOf, eventually, startServer } from './helpers.js';

guardLeaks(test);

function texts(messages: DataMessage[]): string[] {
  return messages.map((message) => (message.type === 'text' ? message.data : `<${message.data.toString('hex')}>`));
}

test('messages$ emits in order and completes on a clean 1000', async () => {
  const ts = await startServer((connection) => {
    connection.on('message', () => {
      for (const text of ['a', 'b', 'c']) connection.send(text);
      connection.send(Buffer.from([1, 2]));
      connection.close(1000);
    });
  });
  const client = await connect(ts.url);
  const all = lastValueFrom(messages$(client).pipe(toArray()));
  client.send('go');
  assert.equal(texts(await all), ['a', 'b', 'c', '<0102>']);
  await ts.close();
});

test('messages$ on the server side; a clean close with an application code errors with it', async () => {
  const ts = await startServer();
  const client = await connect(ts.url);
  await eventually(() => ts.accepted.length === 1);
  const server = ts.accepted[0]!;
  const received: string[] = [];
  const ended = new Promise<unknown>((resolve) => messages$(server).subscribe({ next: (m) => received.push(texts([m])[0]!), error: resolve, complete: () => resolve('completed') }));
  client.send('one');
  client.send('two');
  await eventually(() => received.length === 2);
  client.close(4000, 'app says bye');
  const error = await ended;
  assert.instance(error, CloseError);
  assert.is((error as CloseError).closeCode, 4000);
  assert.is((error as CloseError).reason, 'app says bye');
  assert.is((error as CloseError).wasClean, true);
  assert.equal(received, ['one', 'two']);
  await ts.close();
});

test('messages$ errors with 1006 when the peer drops the connection', async () => {
  const ts = await startServer((connection) => setImmediate(() => connection.terminate()));
  const client = await connect(ts.url);
  const error = await firstValueFrom(messages$(client)).catch((e: unknown) => e);
  assert.instance(error, CloseError);
  assert.is((error as CloseError).closeCode, 1006);
  assert.is((error as CloseError).wasClean, false);
  await ts.close();
});

test('unsubscribing stops delivery and leaves the connection open', async () => {
  const ts = await startServer((connection) => connection.on('message', (m) => connection.send(m.data)));
  const client = await connect(ts.url);
  const first: string[] = [];
  const second: string[] = [];
  const a = messages$(client).subscribe((m) => first.push(texts([m])[0]!));
  const b = messages$(client).subscribe((m) => second.push(texts([m])[0]!));
  client.send('x');
  await eventually(() => second.length === 1);
  a.unsubscribe();
  client.send('y');
  await eventually(() => second.length === 2);
  assert.equal(first, ['x']);
  assert.is(client.readyState, 1);
  assert.is(client.listenerCount('message'), 1);
  b.unsubscribe();
  assert.is(client.listenerCount('message'), 0);
  assert.is(client.listenerCount('close'), 0);
  const closed = closeOf(client);
  client.close(1000);
  assert.is((await closed).code, 1000);
  await ts.close();
});

test('messages$ of an already closed connection completes', async () => {
  const ts = await startServer();
  const client = await connect(ts.url);
  const closed = closeOf(client);
  client.close(1000);
  await closed;
  assert.equal(await lastValueFrom(messages$(client).pipe(toArray())), []);
  await ts.close();
});

test('connections$ emits accepted connections and completes when the server closes', async () => {
  const ts = await startServer();
  const seen = lastValueFrom(connections$(ts.server).pipe(toArray()));
  const firstTwo = firstValueFrom(connections$(ts.server).pipe(take(2), toArray()));
  const clients = [await connect(ts.url), await connect(ts.url)];
  const two = await firstTwo;
  assert.is(two.length, 2);
  assert.ok(two.every((c) => c.role === 'server'));
  await Promise.all([ts.close(), ...clients.map((c) => closeOf(c))]);
  assert.is((await seen).length, 2);
  assert.is(ts.server.listenerCount('connection'), 1); // only the helper's own
});

test.run();
