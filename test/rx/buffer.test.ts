import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { BufferOverflowError, connect$, type DroppedValue, type OverflowPolicy } from '../../src/rx/index.js';
import { OutboundBuffer, type Pending } from '../../src/rx/outbound-buffer.js';
import type { WireData } from '../../src/rx/wire.js';
import { guardLeaks, closeOf, eventually, recordText, startServer, when } from './helpers.js';

guardLeaks(test);

const item = (value: string, seq: number, size = 1): Pending<string> => ({ value, wire: value, size, seq });

test('OutboundBuffer: count and byte limits under each policy', () => {
  const offerAll = (policy: OverflowPolicy, sizes: number[]) => {
    const buffer = new OutboundBuffer<string>({ limit: 3, bytes: 10, overflow: policy });
    const results = sizes.map((size, i) => buffer.offer(item(`v${i}`, i, size)));
    const left: string[] = [];
    for (let next = buffer.shift(); next; next = buffer.shift()) left.push(next.value);
    return { left, dropped: results.flatMap((r) => r.dropped.map((d) => d.value)), overflow: results.map((r) => r.overflow) };
  };
  assert.equal(offerAll('drop-newest', [1, 1, 1, 1]), { left: ['v0', 'v1', 'v2'], dropped: ['v3'], overflow: [false, false, false, false] });
  assert.equal(offerAll('drop-oldest', [1, 1, 1, 1]), { left: ['v1', 'v2', 'v3'], dropped: ['v0'], overflow: [false, false, false, false] });
  assert.equal(offerAll('drop-oldest', [4, 4, 8]), { left: ['v2'], dropped: ['v0', 'v1'], overflow: [false, false, false] });
  assert.equal(offerAll('drop-oldest', [4, 11]), { left: [], dropped: ['v0', 'v1'], overflow: [false, false] });
  assert.equal(offerAll('error', [6, 6]), { left: ['v0'], dropped: ['v1'], overflow: [false, true] });
  assert.equal(offerAll('close', [1, 1, 1, 1]).overflow, [false, false, false, true]);
  const buffer = new OutboundBuffer<string>();
  assert.is(buffer.limit, 1024);
  assert.is(buffer.policy, 'error');
  assert.is(buffer.oldestSeq, Infinity);
});

async function idleThenSubscribe(overflow: OverflowPolicy) {
  const received: string[] = [];
  const ts = await startServer((connection) => recordText(connection, received));
  const subject = connect$(ts.url, { buffer: { limit: 3, overflow } });
  const dropped: Array<DroppedValue<WireData>> = [];
  subject.dropped$.subscribe((d) => dropped.push(d));
  for (const value of ['1', '2', '3', '4', '5']) subject.next(value);
  const sub = subject.subscribe();
  await eventually(() => received.length === 3);
  await subject.flushed().catch(() => undefined);
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
  return { received, dropped: dropped.map((d) => `${String(d.value)}:${d.reason}`) };
}

test("'drop-newest' keeps the first values and reports the rest on dropped$", async () => {
  assert.equal(await idleThenSubscribe('drop-newest'), { received: ['1', '2', '3'], dropped: ['4:overflow', '5:overflow'] });
});

test("'drop-oldest' keeps the latest values and reports the oldest", async () => {
  assert.equal(await idleThenSubscribe('drop-oldest'), { received: ['3', '4', '5'], dropped: ['1:overflow', '2:overflow'] });
});

test("'error': next() throws when idle; errors the subscribers during a session", async () => {
  const ts = await startServer();
  const subject = connect$(ts.url, { buffer: { limit: 2, overflow: 'error' } });
  subject.next('a');
  subject.next('b');
  assert.throws(() => subject.next('c'), (e: unknown) => e instanceof BufferOverflowError);
  const failed = firstValueFrom(subject).catch((e: unknown) => e); // connecting: the buffer stays full
  subject.next('d');
  assert.instance(await failed, BufferOverflowError);
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test("'close' abandons the attempt, drops what waited, and lets reconnect take over", async () => {
  const received: string[] = [];
  const ts = await startServer((connection) => recordText(connection, received));
  const scheduler = new VirtualTimeScheduler();
  const subject = connect$(ts.url, { scheduler, reconnect: { initialDelay: 100, jitter: 0 }, buffer: { limit: 2, overflow: 'close' } });
  const dropped: string[] = [];
  subject.dropped$.subscribe((d) => dropped.push(`${String(d.value)}:${d.reason}`));
  const sub = subject.subscribe();
  for (const value of ['1', '2', '3']) subject.next(value); // connecting: '3' overflows
  assert.equal(dropped, ['1:overflow', '2:overflow', '3:overflow']);
  await when(subject.state$, (s) => s === 'reconnecting');
  subject.next('after');
  scheduler.flush();
  await eventually(() => received.length === 1);
  assert.equal(received, ['after']);
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test("'close' on an open, congested connection closes it with 1011; without reconnect the stream errors", async () => {
  const ts = await startServer();
  const subject = connect$(ts.url, { buffer: { limit: 2, overflow: 'close' } });
  const failed = firstValueFrom(subject).catch((e: unknown) => e);
  await when(subject.state$, (s) => s === 'open');
  const closed = closeOf(ts.accepted[0]!);
  const big = Buffer.alloc(256 * 1024);
  for (let i = 0; i < 4; i++) subject.next(big); // the first fills the socket buffer; two wait; the fourth overflows
  assert.instance(await failed, BufferOverflowError);
  assert.is((await closed).code, 1011);
  await ts.close();
});

test('backpressure: values wait for drain, in order; flushed() resolves once all is out', async () => {
  const sizes: number[] = [];
  const ts = await startServer((connection) => connection.on('message', (m) => sizes.push(m.data.length)));
  const subject = connect$(ts.url, { buffer: { limit: 4, overflow: 'drop-newest' } });
  const dropped: number[] = [];
  subject.dropped$.subscribe((d) => dropped.push((d.value as Buffer).length));
  const sub = subject.subscribe();
  await when(subject.state$, (s) => s === 'open');
  const kib64 = 64 * 1024;
  for (let i = 1; i <= 6; i++) subject.next(Buffer.alloc(i * kib64)); // 1 sent, 4 wait for 'drain', 1 dropped
  assert.equal(dropped, [6 * kib64]);
  await subject.flushed();
  assert.is(subject.connection!.bufferedAmount, 0);
  await eventually(() => sizes.length === 5);
  assert.equal(sizes, [1, 2, 3, 4, 5].map((i) => i * kib64));
  sub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test('flushed() rejects when a waiting value is dropped; resolves at once when nothing waits', async () => {
  const ts = await startServer(undefined, { verifyClient: () => false });
  const subject = connect$(ts.url);
  await subject.flushed();
  subject.next('never delivered');
  const flushed = subject.flushed().then(
    () => 'resolved',
    (e: unknown) => String(e),
  );
  const dropped = firstValueFrom(subject.dropped$);
  await firstValueFrom(subject).catch(() => undefined); // the attempt is refused: the session ends
  assert.match(await flushed, /dropped/);
  assert.equal(await dropped, { value: 'never delivered', reason: 'closed' });
  await ts.close();
});

test('values sent during a deliberate close are reported, not silently lost', async () => {
  const ts = await startServer();
  const subject = connect$(ts.url);
  const dropped: string[] = [];
  subject.dropped$.subscribe((d) => dropped.push(`${String(d.value)}:${d.reason}`));
  const sub = subject.subscribe();
  await when(subject.state$, (s) => s === 'open');
  sub.unsubscribe();
  subject.next('late');
  assert.equal(dropped, ['late:closing']);
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test.run();
