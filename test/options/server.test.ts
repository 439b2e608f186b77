/**
 * Every option of `createServer` / `new WebSocketServer` and of `server.close()`, checked
 * at the call: a wrong type is a TypeError (ERR_INVALID_ARG_TYPE) naming the option's path,
 * a value out of range a RangeError (ERR_OUT_OF_RANGE) naming it and its range, and a good
 * value gives a server our client connects to. Then the cases of the issue, as written.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CustomStages, HeartbeatOptions, PerMessageDeflateOptions, ServerOptions, StageInsertion } from '../../src/index.js';
import { connect, createServer, permessageDeflate, WebSocketServer, type Connection } from '../../src/index.js';
import { SERVER_CLOSE_SCHEMA, SERVER_SCHEMA, type ServerCloseOptions } from '../../src/server/options.js';
import { perMessageDeflateSchema } from '../../src/transforms/deflate/parameters.js';
import { CONNECTION_ROWS, EXTENSION_ROWS, MAX_TIMER_MS, mentions, SERVER_DEFLATE_ROWS } from '../helpers/option-rows.js';
import { assertSameNames, checkRow, row, type Covered, type EntryPoint, type Options, type PathsOf } from '../helpers/option-table.js';
import { closeOf, listenWebServer, nextConnection, stopWebServer } from '../helpers/servers.js';
import { withTimeout } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const LOCAL = { host: '127.0.0.1', port: 0 };
/** Undoes the base's host and port for the rows that attach or do not listen. */
const NOT_LISTENING = { host: undefined, port: undefined };

const SERVER_ROWS = [
  ...CONNECTION_ROWS,
  ...SERVER_DEFLATE_ROWS,
  ...EXTENSION_ROWS,
  row('port', { wrongType: ['abc', '8080', true, null], outOfRange: [-1, 65536, 1.5], range: mentions(0, 65535), good: 0 }),
  row('host', { wrongType: [5, true, ['127.0.0.1']], good: '127.0.0.1' }),
  row('backlog', { wrongType: ['5', null], outOfRange: [-1, 1.5, 2 ** 31], range: mentions('integer', 0), good: 8 }),
  row('tls', { wrongType: ['yes', 5, true], good: { key: testPki().key, cert: testPki().cert } }),
  row('server', { wrongType: [5, {}, 'http', { on() {} }], good: createHttpServer(), with: NOT_LISTENING }),
  row('noServer', { wrongType: ['yes', 1], good: true, with: NOT_LISTENING }),
  row('path', { wrongType: [5, /ws/], outOfRange: ['ws', 'a/b', ''], range: mentions('/'), good: '/ws' }),
  row('handleProtocols', { wrongType: [5, 'chat', {}], good: ['chat'] }),
  row('handleProtocols[0]', { wrongType: [5, null], outOfRange: ['a b', ''], range: mentions('token'), good: 'chat' }),
  row('verifyClient', { wrongType: [true, 'yes', {}], good: () => true }),
  row('headers', { wrongType: [{ 'X-Test': '1' }, 'X-Test: 1'], good: () => ({ 'X-Test': '1' }) }),
  row('maxHeaderBytes', { wrongType: ['8192'], outOfRange: [0, -1, 1.5], range: mentions('integer', 1), good: 8192 }),
  row('maxHeaderCount', { wrongType: ['50'], outOfRange: [0, -1, 2.5], range: mentions('integer', 1), good: 50 }),
  row('handshakeTimeout', { wrongType: ['5000', null], outOfRange: [0, -1, MAX_TIMER_MS + 1], range: mentions(1, MAX_TIMER_MS), good: 5000 }),
  row('maxBackpressure', { wrongType: ['1024', null], outOfRange: [-1, 1.5], range: mentions('integer', 0), good: 1024 }),
  row('onBackpressure', { wrongType: [5, true], outOfRange: ['drop', 'Skip'], range: mentions('skip', 'close'), good: 'close' }),
  row('broker', { wrongType: [5, 'redis://127.0.0.1', { publish() {} }], good: undefined }),
  row('maxConnections', { wrongType: ['100', null], outOfRange: [-1, 1.5], range: mentions('integer', 0), good: 100 }),
  row('maxMessageMemory', { wrongType: ['1e6', {}], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 1 << 20 }),
] as const;

// A new option in ServerOptions (or a nested one) without a row fails the type check here.
type ServerPaths = PathsOf<typeof SERVER_ROWS>;
const serverCovered: Covered<ServerOptions, ServerPaths> = true;
const deflateCovered: Covered<PerMessageDeflateOptions, ServerPaths, 'perMessageDeflate'> = true;
const heartbeatCovered: Covered<HeartbeatOptions, ServerPaths, 'heartbeat'> = true;
const stagesCovered: Covered<CustomStages, ServerPaths, 'stages'> = true;
const insertionCovered: Covered<StageInsertion<string>, ServerPaths, 'stages.decode[0]'> &
  Covered<StageInsertion<string>, ServerPaths, 'stages.encode[0]'> = true;
void [serverCovered, deflateCovered, heartbeatCovered, stagesCovered, insertionCovered];

/** A server made with `options` works: our client connects to it (offering permessage-deflate), then both close. */
async function exercise(server: WebSocketServer, options: ServerOptions): Promise<void> {
  let web: HttpServer | undefined;
  try {
    let port: number;
    if (options.noServer === true) {
      web = createHttpServer();
      web.on('upgrade', (request, socket, head) => server.handleUpgrade(request, socket, head));
      port = await listenWebServer(web);
    } else if (options.server !== undefined) {
      web = options.server as HttpServer;
      port = await listenWebServer(web);
    } else {
      port = (await withTimeout(server.listen(), 5000, 'the server to listen')).port;
    }
    const secure = options.tls !== undefined;
    const accepted = nextConnection(server);
    accepted.catch(() => {}); // awaited below, unless connect() fails first
    const client = await connect(`${secure ? 'wss' : 'ws'}://127.0.0.1:${port}${options.path ?? '/'}`, {
      perMessageDeflate: true,
      ...(secure && { ca: testPki().ca }),
    });
    await accepted;
    const closed = closeOf(client);
    client.close(1000);
    assert.is((await closed).code, 1000);
  } finally {
    await withTimeout(server.close({ timeout: 1000 }), 5000, 'the server to close');
    if (web) await stopWebServer(web);
  }
}

function serverEntry(name: string, make: (options: ServerOptions) => WebSocketServer): EntryPoint {
  return {
    name,
    base: LOCAL,
    call(options: Options) {
      const server = make(options as ServerOptions);
      return exercise(server, options as ServerOptions);
    },
  };
}

const entries = [
  serverEntry('createServer', (options) => createServer(options)),
  serverEntry('new WebSocketServer', (options) => new WebSocketServer(options)),
];

test('the server table has a row for every option of SERVER_SCHEMA, and of perMessageDeflate', () => {
  assertSameNames(Object.keys(SERVER_SCHEMA), SERVER_ROWS, 'createServer');
  assertSameNames(Object.keys(perMessageDeflateSchema('server')), SERVER_ROWS, 'createServer perMessageDeflate', 'perMessageDeflate');
});

for (const entry of entries) {
  for (const option of SERVER_ROWS) {
    test(`${entry.name}: ${option.path}`, () => checkRow(entry, option));
  }
}

interface CloseContext {
  server: WebSocketServer;
  client: Connection;
}

/** `server.close(options)` with a client connected: the client gets the code and reason given. */
const closeEntry: EntryPoint<CloseContext> = {
  name: 'server.close',
  async prepare() {
    const server = createServer(LOCAL);
    const { port } = await withTimeout(server.listen(), 5000, 'the server to listen');
    const accepted = nextConnection(server);
    accepted.catch(() => {}); // awaited below, unless connecting fails first
    const client = await connect(`ws://127.0.0.1:${port}/`);
    await accepted;
    return { server, client };
  },
  call(options, { server, client }) {
    const closed = closeOf(client);
    const closing = server.close(options as ServerCloseOptions);
    return (async () => {
      await withTimeout(closing, 5000, 'server.close() to resolve');
      const seen = await closed;
      assert.is(seen.code, options.code ?? 1001);
      if (options.reason !== undefined) assert.is(seen.reason, options.reason);
    })();
  },
  async dispose({ server, client }) {
    client.terminate();
    await withTimeout(server.close(), 5000, 'the server to close');
  },
};

const CLOSE_ROWS = [
  row('timeout', { wrongType: ['100', null], outOfRange: [-1, MAX_TIMER_MS + 1, 0.5], range: mentions(0, MAX_TIMER_MS), good: 1000 }),
  // RFC 6455 §7.4: 1005, 1006 and 1015 are reported, never sent; 1016-2999 are unassigned.
  row('code', {
    wrongType: ['1000', null],
    outOfRange: [999, 5000, 1004, 1005, 1006, 1015, 2000, 1000.5],
    range: mentions(1000, 1003, 1007, 1014, 3000, 4999),
    good: 4000,
  }),
  // A close frame carries at most 125 bytes, 2 of them the code.
  row('reason', { wrongType: [5, Buffer.from('bye')], outOfRange: ['x'.repeat(124), 'é'.repeat(62)], range: mentions(123), good: 'maintenance' }),
] as const;
const closeCovered: Covered<ServerCloseOptions, PathsOf<typeof CLOSE_ROWS>> = true;
void closeCovered;

test('the server.close() table has a row for every option of SERVER_CLOSE_SCHEMA', () => {
  assertSameNames(Object.keys(SERVER_CLOSE_SCHEMA), CLOSE_ROWS, 'server.close');
});

for (const option of CLOSE_ROWS) {
  test(`server.close: ${option.path}`, () => checkRow(closeEntry, option));
}

/** The error `fn` throws; fails if it throws nothing. */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.unreachable('expected a throw');
  throw new Error('unreachable');
}

test('the issue: createServer({ maxPayload: -1 }) is a RangeError naming maxPayload and 0', () => {
  const error = thrown(() => createServer({ maxPayload: -1 }));
  assert.instance(error, RangeError);
  assert.is(error.code, 'ERR_OUT_OF_RANGE');
  assert.match(error.message, /maxPayload/);
  assert.match(error.message, mentions(0));
});

test("the issue: createServer({ maxPayload: 'abc' }) is a TypeError naming maxPayload", () => {
  const error = thrown(() => createServer({ maxPayload: 'abc' as never }));
  assert.instance(error, TypeError);
  assert.is(error.code, 'ERR_INVALID_ARG_TYPE');
  assert.match(error.message, /maxPayload/);
});

test('the issue: createServer({ heartbeat: { interval: -5 } }) is a RangeError naming heartbeat.interval', () => {
  const error = thrown(() => createServer({ heartbeat: { interval: -5 } }));
  assert.instance(error, RangeError);
  assert.is(error.code, 'ERR_OUT_OF_RANGE');
  assert.match(error.message, /heartbeat\.interval/);
});

test('the issue: createServer({ perMessageDeflate: { level: 42 } }) is a RangeError naming perMessageDeflate.level and -1..9', () => {
  const error = thrown(() => createServer({ perMessageDeflate: { level: 42 } }));
  assert.instance(error, RangeError);
  assert.is(error.code, 'ERR_OUT_OF_RANGE');
  assert.match(error.message, /perMessageDeflate\.level/);
  assert.match(error.message, mentions(-1, 9));
});

test("the issue: createServer({ port: 'abc' }) throws a TypeError and creates no file ./abc (no pipe named abc)", async () => {
  const file = join(process.cwd(), 'abc');
  assert.not.ok(existsSync(file), `${file} exists before the test`);
  let error: (Error & { code?: string }) | undefined;
  let server: WebSocketServer | undefined;
  try {
    try {
      server = createServer({ port: 'abc' as never });
    } catch (caught) {
      error = caught as Error & { code?: string };
    }
    // Listening on a pipe would happen a tick later.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.not.ok(existsSync(file), 'a file ./abc was created');
  } finally {
    if (server) await withTimeout(server.close(), 5000, 'the server to close').catch(() => {});
    rmSync(file, { force: true });
  }
  assert.instance(error, TypeError);
  assert.is(error!.code, 'ERR_INVALID_ARG_TYPE');
  assert.match(error!.message, /port/);
});

/**
 * `permessageDeflate(options)`, the extension object behind the perMessageDeflate option:
 * its options are checked for what either role accepts (window bits 8..15), naming them
 * under "permessageDeflate". A good value negotiates with our client.
 */
const PERMESSAGE_DEFLATE_ROWS = [
  row('permessageDeflate', { wrongType: [5, null, 'yes', true], good: {} }),
  row('permessageDeflate.threshold', { wrongType: ['1024'], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 0 }),
  row('permessageDeflate.level', { wrongType: ['9'], outOfRange: [42, -2, 1.5], range: mentions(-1, 9), good: 1 }),
  row('permessageDeflate.memLevel', { wrongType: ['8'], outOfRange: [0, 10], range: mentions(1, 9), good: 9 }),
  row('permessageDeflate.serverNoContextTakeover', { wrongType: ['yes', 0], good: true }),
  row('permessageDeflate.clientNoContextTakeover', { wrongType: ['no', 1], good: true }),
  row('permessageDeflate.serverMaxWindowBits', { wrongType: ['15', true], outOfRange: [7, 16, 9.5], range: mentions(8, 15), good: 10 }),
  row('permessageDeflate.clientMaxWindowBits', { wrongType: ['15', null], outOfRange: [7, 16], range: mentions(8, 15), good: 10 }),
] as const;
const permessageDeflateCovered: Covered<PerMessageDeflateOptions, PathsOf<typeof PERMESSAGE_DEFLATE_ROWS>, 'permessageDeflate'> = true;
void permessageDeflateCovered;

const permessageDeflateEntry: EntryPoint = {
  name: 'permessageDeflate',
  call(options) {
    const extension = permessageDeflate(options.permessageDeflate as PerMessageDeflateOptions);
    return (async () => {
      const server = createServer({ ...LOCAL, extensions: [extension] });
      try {
        const { port } = await withTimeout(server.listen(), 5000, 'the server to listen');
        const client = await connect(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
        assert.match(client.extensions, /^permessage-deflate/);
        const closed = closeOf(client);
        client.close(1000);
        await closed;
      } finally {
        await withTimeout(server.close({ timeout: 1000 }), 5000, 'the server to close');
      }
    })();
  },
};

test('the permessageDeflate() table has a row for every option it takes', () => {
  assertSameNames(Object.keys(perMessageDeflateSchema('either')), PERMESSAGE_DEFLATE_ROWS, 'permessageDeflate', 'permessageDeflate');
});

for (const option of PERMESSAGE_DEFLATE_ROWS) test(`permessageDeflate: ${option.path}`, () => checkRow(permessageDeflateEntry, option));

test.run();
