/**
 * Every option of the clients, checked at the call: `connect(url, options)`, the WHATWG
 * `new WebSocket(url, protocols, options)` (whose third argument goes through connect())
 * and `connect$(url, options)`. A wrong type is a TypeError (ERR_INVALID_ARG_TYPE) naming
 * the option's path, a value out of range a RangeError (ERR_OUT_OF_RANGE) naming it and
 * its range; a good value opens a connection to an echo server (wss:// for TLS options).
 * Then the client cases of the issue, as written.
 */
import { Agent } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { asyncScheduler, filter, firstValueFrom } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectOptions, CustomStages, HeartbeatOptions, PerMessageDeflateOptions, StageInsertion, WebSocketOptions } from '../../src/index.js';
import { connect, WebSocket, type CloseEvent } from '../../src/index.js';
import { CONNECT_SCHEMA } from '../../src/client/connect-options.js';
import { RX_CONNECT_SCHEMA, type RxConnectOptions } from '../../src/rx/options.js';
import { connect$, type BufferOptions, type ReconnectOptions } from '../../src/rx/index.js';
import { perMessageDeflateSchema } from '../../src/transforms/deflate/parameters.js';
import { CLIENT_DEFLATE_ROWS, CLIENT_ROWS, CONNECTION_ROWS, EXTENSION_ROWS, mentions, tlsRows, usesTls } from '../helpers/option-rows.js';
import { assertSameNames, checkRow, row, type Covered, type EntryPoint, type Options, type PathsOf } from '../helpers/option-table.js';
import { closeOf, echoServers } from '../helpers/servers.js';
import { nextDomEvent, withTimeout } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const servers = echoServers();
interface Targets {
  ws: string;
  wss: string;
}
/** The echo servers: ws:// and wss:// (started once). */
async function targets(): Promise<Targets> {
  const [plain, secure] = await Promise.all([servers.shared(), (wss ??= servers.extra({ tls: { key: testPki().key, cert: testPki().cert } }))]);
  return { ws: plain.url, wss: secure.url };
}
let wss: ReturnType<typeof servers.extra> | undefined;
/** Where a call with `options` goes: wss://, trusting the test CA unless the row says otherwise, when a TLS option is set. */
function target(options: Options, urls: Targets): { url: string; options: Options } {
  return usesTls(options) ? { url: urls.wss, options: { ca: testPki().ca, ...options } } : { url: urls.ws, options };
}
test.after(() => servers.stopAll());

const CONNECT_ROWS = [...CONNECTION_ROWS, ...CLIENT_DEFLATE_ROWS, ...EXTENSION_ROWS, ...CLIENT_ROWS, ...tlsRows(), row('signal', { wrongType: [5, {}, 'abort'], good: new AbortController().signal })] as const;

type ConnectPaths = PathsOf<typeof CONNECT_ROWS>;
const connectCovered: Covered<ConnectOptions, ConnectPaths> = true;
const deflateCovered: Covered<PerMessageDeflateOptions, ConnectPaths, 'perMessageDeflate'> = true;
const heartbeatCovered: Covered<HeartbeatOptions, ConnectPaths, 'heartbeat'> = true;
const stagesCovered: Covered<CustomStages, ConnectPaths, 'stages'> &
  Covered<StageInsertion<string>, ConnectPaths, 'stages.decode[0]'> &
  Covered<StageInsertion<string>, ConnectPaths, 'stages.encode[0]'> = true;
void [connectCovered, deflateCovered, heartbeatCovered, stagesCovered];

/** Options the WHATWG constructor takes in its third argument: not the ones it has arguments or a model for. */
const NOT_WEBSOCKET_OPTIONS: readonly string[] = ['protocols', 'signal', 'streamMessages'];
const WEBSOCKET_ROWS = CONNECT_ROWS.filter((option) => !NOT_WEBSOCKET_OPTIONS.includes(option.path.replace(/[.[].*$/, '')));
const websocketCovered: Covered<WebSocketOptions, ConnectPaths> = true;
void websocketCovered;

const RX_ROWS = [
  ...CONNECT_ROWS.filter((option) => option.path !== 'signal' && option.path !== 'streamMessages'),
  // connect$ is closed by unsubscribing, and its values are whole messages.
  row('signal', { wrongType: [5, {}], noGoodValue: 'connect$ refuses any signal: unsubscribe instead' }),
  row('streamMessages', { wrongType: ['true', 1], good: false }),
  row('serializer', { wrongType: ['json', 5], good: (value: unknown) => value }),
  row('deserializer', { wrongType: ['json', {}], good: (message: unknown) => message }),
  row('openObserver', { wrongType: [5, {}, () => {}], good: { next() {} } }),
  row('closeObserver', { wrongType: ['x', { complete() {} }], good: { next() {} } }),
  row('closingObserver', { wrongType: [true, []], good: { next() {} } }),
  row('reconnect', { wrongType: ['yes', 5, null], good: {} }),
  row('reconnect.initialDelay', { wrongType: ['500'], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 100 }),
  row('reconnect.maxDelay', { wrongType: ['30000'], outOfRange: [-1, 2.5], range: mentions('integer', 0), good: 1000 }),
  row('reconnect.factor', { wrongType: ['2'], outOfRange: [0, 0.5, -2, NaN], range: mentions(1), good: 1.5 }),
  row('reconnect.jitter', { wrongType: ['0.5'], outOfRange: [-0.1, 1.5, NaN], range: mentions(0, 1), good: 0.25 }),
  row('reconnect.maxRetries', { wrongType: ['3'], outOfRange: [-1, 1.5], range: mentions('integer', 0), good: 3 }),
  row('reconnect.resetAfter', { wrongType: ['5000'], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 1000 }),
  row('reconnect.shouldReconnect', { wrongType: [true, 'always'], good: () => false }),
  row('reconnect.random', { wrongType: [0.5], good: () => 0.5 }),
  row('buffer', { wrongType: [5, 'x', []], good: {} }),
  row('buffer.limit', { wrongType: ['10'], outOfRange: [-1, 1.5], range: mentions('integer', 0), good: 10 }),
  row('buffer.bytes', { wrongType: ['1024'], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 1024 }),
  row('buffer.overflow', {
    wrongType: [1, true],
    outOfRange: ['drop', 'newest', 'ERROR'],
    range: mentions('error', 'drop-newest', 'drop-oldest', 'close'),
    good: 'drop-oldest',
  }),
  row('scheduler', { wrongType: [5, {}, () => 0], good: asyncScheduler }),
] as const;

type RxPaths = PathsOf<typeof RX_ROWS>;
const rxCovered: Covered<RxConnectOptions, RxPaths> = true;
const reconnectCovered: Covered<ReconnectOptions, RxPaths, 'reconnect'> = true;
const bufferCovered: Covered<BufferOptions, RxPaths, 'buffer'> = true;
void [rxCovered, reconnectCovered, bufferCovered];

const connectEntry: EntryPoint<Targets> = {
  name: 'connect',
  prepare: targets,
  call(options, urls) {
    const { url, options: used } = target(options, urls);
    const opening = connect(url, used as ConnectOptions);
    return (async () => {
      const connection = await withTimeout(opening, 5000, 'connect() to open');
      const closed = closeOf(connection);
      connection.close(1000);
      assert.is((await closed).code, 1000);
    })();
  },
};

const websocketEntry: EntryPoint<Targets> = {
  name: 'new WebSocket',
  prepare: targets,
  call(options, urls) {
    const { url, options: used } = target(options, urls);
    // The constructor throws at once for a bad option: it connects through connect().
    const socket = new WebSocket(url, undefined, used as WebSocketOptions);
    return (async () => {
      await nextDomEvent(socket, 'open', 5000, "the WebSocket's open event");
      const closed = nextDomEvent<CloseEvent>(socket, 'close', 5000, "the WebSocket's close event");
      socket.close(1000);
      assert.is((await closed).code, 1000);
    })();
  },
};

const rxEntry: EntryPoint<Targets> = {
  name: 'connect$',
  prepare: targets,
  call(options, urls) {
    const { url, options: used } = target(options, urls);
    // connect$ checks its options at the call; it connects on the first subscription.
    const subject = connect$<unknown, string>(url, used as RxConnectOptions<unknown, string>);
    return (async () => {
      const echoed = new Promise<unknown>((resolve, reject) => {
        const subscription = subject.subscribe({
          next: (value) => {
            resolve(value);
            subscription.unsubscribe();
          },
          error: reject,
        });
        subject.next('hello');
      });
      assert.ok((await withTimeout(echoed, 5000, 'connect$ to echo a value')) !== undefined);
      await withTimeout(firstValueFrom(subject.state$.pipe(filter((state) => state === 'closed'))), 5000, 'connect$ to close');
    })();
  },
};

test('the client tables have a row for every option of CONNECT_SCHEMA, RX_CONNECT_SCHEMA and perMessageDeflate', () => {
  assertSameNames(Object.keys(CONNECT_SCHEMA), CONNECT_ROWS, 'connect');
  assertSameNames(Object.keys(perMessageDeflateSchema('client')), CONNECT_ROWS, 'connect perMessageDeflate', 'perMessageDeflate');
  assertSameNames(
    Object.keys(CONNECT_SCHEMA).filter((name) => !NOT_WEBSOCKET_OPTIONS.includes(name)),
    WEBSOCKET_ROWS,
    'new WebSocket',
  );
  assertSameNames(Object.keys(RX_CONNECT_SCHEMA), RX_ROWS, 'connect$');
});

for (const option of CONNECT_ROWS) test(`connect: ${option.path}`, () => checkRow(connectEntry, option));
for (const option of WEBSOCKET_ROWS) test(`new WebSocket: ${option.path}`, () => checkRow(websocketEntry, option));
for (const option of RX_ROWS) test(`connect$: ${option.path}`, () => checkRow(rxEntry, option));

test('connect$ checks where user stages go at the call, as connect() does, not at the first subscription', () => {
  const stages = { decode: [{ after: 'Nowhere', create: () => new PassThrough({ objectMode: true }) }] };
  assert.throws(() => connect$('ws://127.0.0.1:1/', { stages }), (error: Error) => error instanceof RangeError && /stages\.decode\[0\]\.after/.test(error.message));
});

test('new WebSocket refuses in its third argument the options it owns (protocols, signal, streamMessages), at the call', () => {
  const owned: ReadonlyArray<readonly [string, unknown]> = [['protocols', ['chat']], ['signal', new AbortController().signal], ['streamMessages', false]];
  for (const [name, value] of owned) {
    assert.throws(
      () => new WebSocket('ws://127.0.0.1:1/', undefined, { [name]: value } as WebSocketOptions),
      (error: Error & { code?: string }) => error instanceof TypeError && error.code === 'ERR_INVALID_ARG_VALUE' && error.message.includes(`"${name}" option is not for a WebSocket`),
    );
  }
});

test('proxy with agent is refused at the call by every client, connect$ included (not at its first subscription)', () => {
  const options = { proxy: 'http://127.0.0.1:1', agent: new Agent() };
  const refused = (error: Error): boolean => error instanceof TypeError && /proxy.*agent/.test(error.message);
  assert.throws(() => connect('ws://127.0.0.1:1/', options), refused);
  assert.throws(() => new WebSocket('ws://127.0.0.1:1/', undefined, options), refused);
  assert.throws(() => connect$('ws://127.0.0.1:1/', options), refused);
});

test('connect$ refuses a signal and streamMessages: true at the call (unsubscribe closes; values are whole messages)', () => {
  assert.throws(() => connect$('ws://127.0.0.1:1/', { signal: new AbortController().signal } as RxConnectOptions), (error: Error) => error instanceof TypeError && /signal/.test(error.message));
  assert.throws(() => connect$('ws://127.0.0.1:1/', { streamMessages: true } as RxConnectOptions), (error: Error) => error instanceof TypeError && /streamMessages/.test(error.message));
});

/** A TCP server counting the connections made to it: a refused call must make none. */
async function countingServer(): Promise<{ url: string; count: () => number; stop: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.destroy();
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 5000, 'a TCP server to listen');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => sockets.length,
    stop: () => withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5000, 'the TCP server to close'),
  };
}

const ISSUE_CASES: ReadonlyArray<{ options: Record<string, unknown>; type: typeof TypeError | typeof RangeError; code: string; names: RegExp }> = [
  { options: { protocols: 5 }, type: TypeError, code: 'ERR_INVALID_ARG_TYPE', names: /protocols/ },
  { options: { handshakeTimeout: -1 }, type: RangeError, code: 'ERR_OUT_OF_RANGE', names: /handshakeTimeout/ },
  { options: { perMessageDeflate: 'yes' }, type: TypeError, code: 'ERR_INVALID_ARG_TYPE', names: /perMessageDeflate/ },
];

for (const { options, type, code, names } of ISSUE_CASES) {
  test(`the issue: connect(url, ${JSON.stringify(options)}) throws a ${type.name} at the call and connects nowhere`, async () => {
    const server = await countingServer();
    try {
      let error: (Error & { code?: string }) | undefined;
      try {
        void connect(server.url, options as ConnectOptions).catch(() => {});
      } catch (caught) {
        error = caught as Error & { code?: string };
      }
      assert.instance(error, type);
      assert.is(error!.code, code);
      assert.match(error!.message, names);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.is(server.count(), 0, 'a refused call opened a TCP connection');
    } finally {
      await server.stop();
    }
  });
}

test.run();
