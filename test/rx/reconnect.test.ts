import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, lastValueFrom, toArray, VirtualTimeScheduler } from 'rxjs';
import { HandshakeError } from '../../src/handshake/index.js';
import { backoffDelay, connect$, reconnectPolicy, CloseError, type CloseInfo } from '../../src/rx/index.js';
import type { DataMessage } from '../../src/transforms/records.js';
import { guardLeaks, eventually, recordText, startServer, when } from './helpers.js';

guardLeaks(test);

const text = (message: DataMessage): string => (message.type === 'text' ? message.data : '<binary>');

test('backoffDelay: exponential, capped, jittered downwards', () => {
  const policy = reconnectPolicy({ initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0 })!;
  assert.equal([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy)), [100, 200, 400, 800, 1000, 1000]);
  const jittered = reconnectPolicy({ initialDelay: 1000, jitter: 0.5, random: () => 0.5 })!;
  assert.is(backoffDelay(0, jittered), 750);
  assert.is(backoffDelay(0, { ...jittered, random: () => 0 }), 1000);
  assert.is(backoffDelay(0, { ...jittered, random: () => 0.999999 }), 500);
  assert.is(reconnectPolicy(false), null);
  assert.is(reconnectPolicy(true)!.initialDelay, 500);
});

test('failed attempts are retried at the backoff times (virtual), then the stream errors', async () => {
  let attempts = 0;
  const ts = await startServer(undefined, {
    verifyClient: () => {
      attempts++;
      return false;
    },
  });
  const scheduler = new VirtualTimeScheduler();
  const subject = connect$(ts.url, { scheduler, reconnect: { initialDelay: 1000, factor: 2, jitter: 0, maxRetries: 3 } });
  const connectingAt: number[] = [];
  const states = subject.state$.subscribe((s) => {
    if (s === 'connecting') connectingAt.push(scheduler.now());
  });
  const failed = firstValueFrom(subject).catch((e: unknown) => e);
  for (let retry = 0; retry < 3; retry++) {
    await when(subject.state$, (s) => s === 'reconnecting');
    scheduler.flush(); // jumps to the retry's time and runs it
  }
  const error = await failed;
  assert.instance(error, HandshakeError);
  assert.is((error as HandshakeError).statusCode, 401);
  assert.equal(connectingAt, [0, 1000, 3000, 7000]);
  assert.is(attempts, 4);
  assert.is(subject.state, 'closed');
  states.unsubscribe();
  await ts.close();
});

test('a dropped connection reconnects; observers fire for every connection; values sent meanwhile arrive', async () => {
  const received: string[] = [];
  const ts = await startServer((connection) => {
    recordText(connection, received);
    connection.send(`hello ${ts.accepted.length}`);
  });
  const scheduler = new VirtualTimeScheduler();
  const opens: number[] = [];
  const closes: CloseInfo[] = [];
  const subject = connect$(ts.url, {
    scheduler,
    reconnect: { initialDelay: 250, jitter: 0 },
    openObserver: { next: () => opens.push(scheduler.now()) },
    closeObserver: { next: (info) => closes.push(info) },
  });
  const values: string[] = [];
  const sub = subject.subscribe((m) => values.push(text(m)));
  await eventually(() => values.length === 1);
  ts.accepted[0]!.terminate();
  await when(subject.state$, (s) => s === 'reconnecting');
  subject.next('sent during the outage');
  scheduler.flush();
  await eventually(() => values.length === 2 && received.length === 1);
  assert.equal(values, ['hello 1', 'hello 2']);
  assert.equal(received, ['sent during the outage']);
  assert.equal(opens, [0, 250]);
  assert.equal(closes, [{ code: 1006, reason: '', wasClean: false }]);
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  assert.is(closes.length, 2);
  assert.is(closes[1]!.code, 1000);
  assert.is(scheduler.actions.length, 0);
  await ts.close();
});

test('the retry count resets after a connection stayed open for resetAfter', async () => {
  const ts = await startServer();
  const scheduler = new VirtualTimeScheduler();
  const subject = connect$(ts.url, { scheduler, reconnect: { initialDelay: 100, factor: 10, jitter: 0, resetAfter: 5000 } });
  const connectingAt: number[] = [];
  subject.state$.subscribe((s) => {
    if (s === 'connecting') connectingAt.push(scheduler.now());
  });
  const sub = subject.subscribe();
  const dropAndRetry = async (n: number): Promise<void> => {
    await when(subject.state$, (s) => s === 'open');
    await eventually(() => ts.accepted.length === n);
    ts.accepted[n - 1]!.terminate();
    await when(subject.state$, (s) => s === 'reconnecting');
    scheduler.flush();
  };
  await dropAndRetry(1); // unstable: next delay 100
  await dropAndRetry(2); // unstable again: 1000
  await when(subject.state$, (s) => s === 'open');
  scheduler.schedule(() => undefined, 5000); // stay open 5 virtual seconds
  scheduler.flush();
  await dropAndRetry(3); // stable: back to 100
  await when(subject.state$, (s) => s === 'open');
  assert.equal(connectingAt, [0, 100, 1100, 6200]);
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test('never reconnects after a deliberate close, nor (by default) after a 1000 from the server', async () => {
  const ts = await startServer((connection) => connection.on('message', (m) => connection.close(Number(m.data))));
  const scheduler = new VirtualTimeScheduler();
  const subject = connect$(ts.url, { scheduler, reconnect: true });
  const done = lastValueFrom(subject.pipe(toArray()));
  await when(subject.state$, (s) => s === 'open');
  subject.complete();
  await done;
  assert.is(subject.state, 'closed');
  assert.is(scheduler.actions.length, 0);

  const done2 = lastValueFrom(subject.pipe(toArray()));
  subject.next('1000');
  await done2;
  assert.is(scheduler.actions.length, 0);
  assert.is(ts.accepted.length, 2);

  // ...but a 1001 (server going away) is retried.
  const sub = subject.subscribe();
  subject.next('1001');
  await when(subject.state$, (s) => s === 'reconnecting');
  assert.is(scheduler.actions.length, 1);
  sub.unsubscribe(); // during the backoff wait: cancels the retry
  assert.is(subject.state, 'closed');
  assert.is(scheduler.actions.length, 0);
  await ts.close();
});

test('shouldReconnect decides; the stream errors with the close that ended it', async () => {
  const ts = await startServer((connection) => connection.close(4400, 'go away'));
  const subject = connect$(ts.url, { reconnect: { shouldReconnect: (cause) => !('code' in cause) || cause.code !== 4400 } });
  const error = await firstValueFrom(subject).catch((e: unknown) => e);
  assert.is((error as CloseError).closeCode, 4400);
  assert.is(subject.state, 'closed');
  await ts.close();
});

test.run();
