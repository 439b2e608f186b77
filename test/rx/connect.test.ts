import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { connect$, CloseError, json, validJson, type ConnectionState, type JsonResult } from '../../src/rx/index.js';
import type { DataMessage } from '../../src/transforms/records.js';
import { guardLeaks, closeOf, echo, eventually, recordText, startServer, when } from './helpers.js';

guardLeaks(test);

const text = (message: DataMessage): string => (message.type === 'text' ? message.data : `<${message.data.toString('hex')}>`);

test('values sent before the open are buffered and echoed in order; a welcome sent at once is not lost', async () => {
  const ts = await startServer((connection) => {
    connection.send('welcome');
    echo(connection);
  });
  const subject = connect$(ts.url);
  for (let i = 0; i < 50; i++) subject.next(String(i));
  subject.next(Buffer.from([0xca, 0xfe]));
  const received = await firstValueFrom(subject.pipe(take(52), toArray()));
  assert.equal(received.map(text), ['welcome', ...Array.from({ length: 50 }, (_, i) => String(i)), '<cafe>']);
  await ts.close();
});

test('concurrent subscribers share one connection; the last to leave closes it with 1000', async () => {
  const ts = await startServer(echo);
  const subject = connect$(ts.url);
  const a: string[] = [];
  const b: string[] = [];
  const subA = subject.subscribe((m) => a.push(text(m)));
  const subB = subject.subscribe((m) => b.push(text(m)));
  subject.next('hello');
  await eventually(() => a.length === 1 && b.length === 1);
  assert.is(ts.accepted.length, 1);
  const closed = closeOf(ts.accepted[0]!);
  subA.unsubscribe();
  subject.next('still open');
  await eventually(() => b.length === 2);
  assert.equal(a, ['hello']);
  assert.is(subject.state, 'open');
  subB.unsubscribe();
  assert.equal(await closed, { code: 1000, reason: '', wasClean: true });
  await when(subject.state$, (s) => s === 'closed');
  // A new subscription is a new connection.
  const again = firstValueFrom(subject);
  subject.next('again');
  assert.is(text(await again), 'again');
  await eventually(() => ts.accepted.length === 2 && ts.accepted[1]!.readyState === 3);
  await ts.close();
});

test('complete() sends what is buffered, closes with 1000 and completes subscribers', async () => {
  const received: string[] = [];
  const ts = await startServer((connection) => recordText(connection, received));
  const events: string[] = [];
  const subject = connect$(ts.url, {
    openObserver: { next: () => events.push('open') },
    closingObserver: { next: () => events.push('closing') },
    closeObserver: { next: (info) => events.push(`close ${info.code} ${info.wasClean}`) },
  });
  const done = lastValueFrom(subject.pipe(toArray()));
  subject.next('a');
  subject.next('b');
  subject.complete(); // while still connecting: waits for the open, sends, then closes
  assert.equal(await done, []);
  assert.equal(received, ['a', 'b']);
  assert.equal(events, ['open', 'closing', 'close 1000 true']);
  assert.is(subject.state, 'closed');
  await ts.close();
});

test('state$ reports connecting, open, closing, closed', async () => {
  const ts = await startServer(echo);
  const subject = connect$(ts.url);
  const states: ConnectionState[] = [];
  subject.state$.subscribe((s) => states.push(s));
  const sub = subject.subscribe();
  await when(subject.state$, (s) => s === 'open');
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  assert.equal(states, ['closed', 'connecting', 'open', 'closing', 'closed']);
  await ts.close();
});

test('error(e) closes with the code the error carries, or 1011, and errors subscribers', async () => {
  const ts = await startServer();
  const subject = connect$(ts.url);
  const failed = firstValueFrom(subject).catch((e: unknown) => e);
  await when(subject.state$, (s) => s === 'open');
  const closed = closeOf(ts.accepted[0]!);
  const error = Object.assign(new Error('nope'), { code: 4001, reason: 'bad input' });
  subject.error(error);
  assert.is(await failed, error);
  assert.equal(await closed, { code: 4001, reason: 'bad input', wasClean: true });

  const failed2 = firstValueFrom(subject).catch((e: unknown) => e);
  await when(subject.state$, (s) => s === 'open');
  const closed2 = closeOf(ts.accepted[1]!);
  subject.error(new Error('internal detail'));
  assert.instance(await failed2, Error);
  assert.equal(await closed2, { code: 1011, reason: '', wasClean: true });
  await ts.close();
});

test('a server close with 1000 completes; with an application code it errors with CloseError', async () => {
  const ts = await startServer((connection) => connection.on('message', (m) => connection.close(Number(m.data), 'server reason')));
  const subject = connect$(ts.url);
  const completed = lastValueFrom(subject.pipe(toArray()));
  subject.next('1000');
  assert.equal(await completed, []);
  const failed = lastValueFrom(subject).catch((e: unknown) => e);
  subject.next('4002');
  const error = await failed;
  assert.instance(error, CloseError);
  assert.is((error as CloseError).closeCode, 4002);
  assert.is((error as CloseError).reason, 'server reason');
  await ts.close();
});

test('a failed connection attempt errors subscribers (no reconnect by default)', async () => {
  const ts = await startServer(undefined, { verifyClient: () => false });
  const subject = connect$(ts.url);
  const error = await firstValueFrom(subject).catch((e: unknown) => e);
  assert.instance(error, Error);
  assert.match(String(error), /401/);
  assert.is(subject.state, 'closed');
  await ts.close();
});

test('default deserializer: any frame is a value; JSON helpers report bad input per value', async () => {
  const ts = await startServer((connection) => {
    connection.send('{"n":1}');
    connection.send('not json');
    connection.send(Buffer.from([0xff, 0x00]));
    connection.send('{"n":2}');
  });
  const raw = await firstValueFrom(connect$(ts.url).pipe(take(4), toArray()));
  assert.equal(raw.map(text), ['{"n":1}', 'not json', '<ff00>', '{"n":2}']);

  const subject = connect$<JsonResult<{ n: number }>, unknown>(ts.url, json<{ n: number }>());
  const results = await firstValueFrom(subject.pipe(take(4), toArray()));
  assert.equal(results.map((r) => r.ok), [true, false, false, true]);
  const bad: string[] = [];
  const values = await firstValueFrom(subject.pipe(validJson((r) => bad.push(text(r.message))), take(2), toArray()));
  assert.equal(values, [{ n: 1 }, { n: 2 }]);
  assert.equal(bad, ['not json', '<ff00>']);
  await ts.close();
});

test('a throwing deserializer errors the subject and closes with 1011', async () => {
  const ts = await startServer((connection) => connection.send('boom'));
  const subject = connect$(ts.url, {
    deserializer: () => {
      throw new TypeError('cannot read this');
    },
  });
  const error = await firstValueFrom(subject).catch((e: unknown) => e);
  assert.instance(error, TypeError);
  await eventually(() => ts.accepted.length === 1);
  assert.is((await closeOf(ts.accepted[0]!)).code, 1011);
  await ts.close();
});

test('the default serializer refuses non-wire values: the subject errors (or next throws when idle)', async () => {
  const ts = await startServer();
  const subject = connect$<DataMessage, unknown>(ts.url);
  assert.throws(() => subject.next({ not: 'bytes' }), /Cannot send/);
  const failed = firstValueFrom(subject).catch((e: unknown) => e);
  subject.next(42);
  assert.instance(await failed, TypeError);
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test('a DataMessage value is sent as its own type (echo as received)', async () => {
  const seen: string[] = [];
  const ts = await startServer((connection) => connection.on('message', (m) => seen.push(`${m.type}:${text(m)}`)));
  const subject = connect$(ts.url);
  subject.next({ type: 'binary', data: Buffer.from('hi') });
  subject.next({ type: 'text', data: 'yo' });
  const sub = subject.subscribe();
  await eventually(() => seen.length === 2);
  assert.equal(seen, ['binary:<6869>', 'text:yo']);
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test.run();
