import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualTimeScheduler } from 'rxjs';
import type { Connection } from '../../src/connection/connection.js';
import { connect$, jsonSerializer } from '../../src/rx/index.js';
import type { DataMessage } from '../../src/transforms/records.js';
import { guardLeaks, eventually, startServer, when } from './helpers.js';

guardLeaks(test);

type Control = { sub: string } | { unsub: string };
interface ChannelEvent {
  ch: string;
  n: number;
}

/** A pub/sub server: logs each connection's control messages; `publish` reaches subscribers. */
async function pubSubServer() {
  const logs = new Map<Connection, string[]>();
  const topics = new Map<Connection, Set<string>>();
  const ts = await startServer((connection) => {
    const log: string[] = [];
    const subscribed = new Set<string>();
    logs.set(connection, log);
    topics.set(connection, subscribed);
    connection.on('message', (m) => {
      const control = JSON.parse(String(m.data)) as Control;
      if ('sub' in control) {
        log.push(`sub ${control.sub}`);
        subscribed.add(control.sub);
      } else {
        log.push(`unsub ${control.unsub}`);
        subscribed.delete(control.unsub);
      }
    });
  });
  const publish = (ch: string, n: number): void => {
    for (const [connection, subscribed] of topics) if (subscribed.has(ch) && connection.readyState === 1) connection.send(JSON.stringify({ ch, n }));
  };
  const logOf = (index: number): string[] => logs.get(ts.accepted[index]!) ?? [];
  return { ts, publish, logOf };
}

function channel(subject: ReturnType<typeof jsonSubject>, ch: string) {
  return subject.multiplex(
    () => ({ sub: ch }),
    () => ({ unsub: ch }),
    (event) => event.ch === ch,
  );
}

function jsonSubject(url: string, scheduler?: VirtualTimeScheduler) {
  return connect$<ChannelEvent, Control>(url, {
    serializer: jsonSerializer,
    deserializer: (m: DataMessage) => JSON.parse(String(m.data)) as ChannelEvent,
    ...(scheduler ? { scheduler, reconnect: { initialDelay: 100, jitter: 0 } } : {}),
  });
}

test('channels are reference-counted: one subscribe, one unsubscribe, values filtered', async () => {
  const { ts, publish, logOf } = await pubSubServer();
  const subject = jsonSubject(ts.url);
  const a1: number[] = [];
  const a2: number[] = [];
  const b: number[] = [];
  const subA1 = channel(subject, 'a').subscribe((e) => a1.push(e.n));
  const subA2 = channel(subject, 'a').subscribe((e) => a2.push(e.n));
  const subB = channel(subject, 'b').subscribe((e) => b.push(e.n));
  await eventually(() => logOf(0).length === 2);
  assert.equal(logOf(0), ['sub a', 'sub b']);
  publish('a', 1);
  publish('b', 2);
  await eventually(() => a1.length === 1 && a2.length === 1 && b.length === 1);
  assert.equal([a1, a2, b], [[1], [1], [2]]);

  subA1.unsubscribe(); // channel a still has a subscriber: nothing sent
  publish('a', 3);
  await eventually(() => a2.length === 2);
  assert.equal(logOf(0), ['sub a', 'sub b']);
  subA2.unsubscribe();
  await eventually(() => logOf(0).length === 3);
  assert.equal(logOf(0), ['sub a', 'sub b', 'unsub a']);

  // The last subscriber of the whole subject: the connection closes, with no unsubscribe first.
  const closed = new Promise((resolve) => ts.accepted[0]!.once('close', resolve));
  subB.unsubscribe();
  assert.is(await closed, 1000);
  assert.equal(logOf(0), ['sub a', 'sub b', 'unsub a']);
  assert.equal(a1, [1]);
  await ts.close();
});

test('channels subscribe again after a reconnection; channels left while disconnected send nothing', async () => {
  const { ts, publish, logOf } = await pubSubServer();
  const scheduler = new VirtualTimeScheduler();
  const subject = jsonSubject(ts.url, scheduler);
  const a: number[] = [];
  const subA = channel(subject, 'a').subscribe((e) => a.push(e.n));
  const subB = channel(subject, 'b').subscribe();
  await eventually(() => logOf(0).length === 2);
  ts.accepted[0]!.terminate();
  await when(subject.state$, (s) => s === 'reconnecting');
  subB.unsubscribe(); // stale: the server forgot it with the connection
  scheduler.flush();
  await eventually(() => logOf(1).length === 1);
  publish('a', 7);
  await eventually(() => a.length === 1);
  assert.equal(logOf(0), ['sub a', 'sub b']);
  assert.equal(logOf(1), ['sub a']);
  assert.equal(a, [7]);
  subA.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  assert.equal(logOf(1), ['sub a']);
  await ts.close();
});

test('a throwing filter errors only its own subscriber', async () => {
  const { ts, publish, logOf } = await pubSubServer();
  const subject = jsonSubject(ts.url);
  const good: number[] = [];
  const goodSub = channel(subject, 'a').subscribe((e) => good.push(e.n));
  const failed = new Promise<unknown>((resolve) =>
    subject
      .multiplex(
        () => ({ sub: 'a' }),
        () => ({ unsub: 'a' }),
        () => {
          throw new Error('bad filter');
        },
      )
      .subscribe({ error: resolve }),
  );
  await eventually(() => logOf(0).length === 1);
  publish('a', 1);
  assert.match(String(await failed), /bad filter/);
  await eventually(() => good.length === 1);
  goodSub.unsubscribe();
  await when(subject.state$, (s) => s === 'closed');
  await ts.close();
});

test.run();
