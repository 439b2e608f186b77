/**
 * Topics check their arguments at the call, as the rest of the library does: a TypeError
 * (ERR_INVALID_ARG_TYPE) or RangeError (ERR_OUT_OF_RANGE) naming the argument or option,
 * before anything is published or subscribed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, MAX_TOPIC_LENGTH, type Connection } from '../../src/index.js';
import { openPair, type Pair } from '../helpers/pair.js';

function throwsCoded(run: () => unknown, type: typeof TypeError | typeof RangeError, code: string, message: RegExp): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, type);
    assert.is((error as { code?: string }).code, code);
    assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected a ${type.name}`);
}

let pair: Pair | null = null;
test.after.each(async () => {
  await pair?.close();
  pair = null;
});

test('publish(): the topic, the data and the options are checked; nothing is sent for a bad call', async () => {
  pair = await openPair();
  const { server, serverSide } = pair;
  serverSide.subscribe('t');
  for (const publish of [server.publish.bind(server), serverSide.publish.bind(serverSide)] as Array<(...args: unknown[]) => number>) {
    throwsCoded(() => publish(42, 'x'), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "topic" argument must be a string\. Received 42$/);
    throwsCoded(() => publish('', 'x'), RangeError, 'ERR_OUT_OF_RANGE', /"topic" argument must be a non-empty string of at most 1024 characters/);
    throwsCoded(() => publish('x'.repeat(MAX_TOPIC_LENGTH + 1), 'x'), RangeError, 'ERR_OUT_OF_RANGE', /"topic"/);
    throwsCoded(() => publish('t', { text: 'hi' }), TypeError, 'ERR_INVALID_ARG_TYPE', /data to send must be a string, Buffer/);
    throwsCoded(() => publish('t', 'x', { binary: 'yes' }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "binary" option must be a boolean/);
    throwsCoded(() => publish('t', 'x', 'binary'), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "options" option must be an object/);
    throwsCoded(() => publish('t', Buffer.from([0xff]), { binary: false }), RangeError, 'WS_ERR_INVALID_MESSAGE', /valid UTF-8/);
  }
  assert.is(serverSide.bufferedAmount, 0);
  assert.is(serverSide.counters.messagesOut, 0);
});

test('subscribe(), unsubscribe(), server.subscribe() and subscriberCount() check the topic (and the listener)', async () => {
  pair = await openPair();
  const { server, serverSide } = pair;
  const connection = serverSide as unknown as Record<'subscribe' | 'unsubscribe', (topic: unknown) => boolean>;
  throwsCoded(() => connection.subscribe(undefined), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "topic" argument must be a string\. Received undefined$/);
  throwsCoded(() => connection.unsubscribe(''), RangeError, 'ERR_OUT_OF_RANGE', /"topic"/);
  throwsCoded(() => server.subscribe(['t'] as unknown as string, () => {}), TypeError, 'ERR_INVALID_ARG_TYPE', /Received an array/);
  throwsCoded(() => server.subscribe('t', 'listener' as unknown as () => void), TypeError, 'ERR_INVALID_ARG_TYPE', /"listener" argument must be a function/);
  throwsCoded(() => server.subscriberCount(7 as unknown as string), TypeError, 'ERR_INVALID_ARG_TYPE', /"topic"/);
  assert.is(serverSide.topics.size, 0);
});

test('a connection no server accepted (a client) has no topics: WS_ERR_NO_TOPICS', async () => {
  pair = await openPair();
  const client: Connection = pair.client;
  for (const call of [() => client.subscribe('t'), () => client.unsubscribe('t'), () => client.publish('t', 'x')]) {
    assert.throws(call, (error: Error & { code?: string }) => error.code === 'WS_ERR_NO_TOPICS' && /only a connection a WebSocketServer accepted/.test(error.message));
  }
  assert.is(client.topics.size, 0);
});

test('the topic options of createServer()', () => {
  throwsCoded(() => createServer({ noServer: true, maxBackpressure: -1 }), RangeError, 'ERR_OUT_OF_RANGE', /^The "maxBackpressure" option must be an integer >= 0/);
  throwsCoded(() => createServer({ noServer: true, maxBackpressure: '1MB' as unknown as number }), TypeError, 'ERR_INVALID_ARG_TYPE', /"maxBackpressure"/);
  throwsCoded(() => createServer({ noServer: true, onBackpressure: 'drop' as 'skip' }), RangeError, 'ERR_OUT_OF_RANGE', /^The "onBackpressure" option must be one of "skip", "close"/);
  throwsCoded(() => createServer({ noServer: true, broker: { publish() {} } as never }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "broker" option must be a broker/);
});

test.run();
