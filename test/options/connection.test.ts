/**
 * Every option of `new Connection(socket, options)` and of `send(data, options)` /
 * `sendStream(source, options)`, checked at the call: a wrong type is a TypeError
 * (ERR_INVALID_ARG_TYPE) naming the option's path, a value out of range a RangeError
 * (ERR_OUT_OF_RANGE) naming it and its range; with a good value the connection talks to
 * a peer over a real TCP connection.
 */
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Connection, type ConnectionOptions, type CustomStages, type DataMessage, type HeartbeatOptions, type SendOptions, type StageInsertion } from '../../src/index.js';
import { SEND_OPTIONS_SCHEMA } from '../../src/connection/connection.js';
import { CONNECTION_SCHEMA } from '../../src/connection/options.js';
import type { ExtensionStages } from '../../src/transforms/extension-stages.js';
import { CONNECTION_ROWS, mentions } from '../helpers/option-rows.js';
import { assertSameNames, checkRow, row, type Covered, type EntryPoint, type PathsOf } from '../helpers/option-table.js';
import { openPair, type Pair } from '../helpers/pair.js';
import { closeOf } from '../helpers/servers.js';
import { socketPair, type SocketPair } from '../helpers/socket-pair.js';
import { nextEvent } from '../helpers/timeouts.js';

/** What an agreed extension adds to a connection: here nothing but its name and bits. */
const AGREED = { name: 'x-test', rsv: 0 };

const CONNECTION_TABLE = [
  ...CONNECTION_ROWS,
  row('role', { wrongType: [5, undefined, null], outOfRange: ['peer', 'Server', ''], range: mentions('server', 'client'), good: 'client' }),
  row('protocol', { wrongType: [5, ['chat']], good: 'chat' }),
  row('extensions', { wrongType: [5, {}], good: '' }),
  row('head', { wrongType: ['early bytes', 5, [1, 2]], good: Buffer.alloc(0) }),
  row('transport', { wrongType: [5, true], outOfRange: ['http/3', 'H2'], range: mentions('http/1.1', 'h2'), good: 'h2' }),
  row('extensionStages', { wrongType: [5, {}, 'permessage-deflate'], good: [AGREED] }),
  row('extensionStages[0]', { wrongType: [5, 'x-test', null], good: AGREED }),
  row('extensionStages[0].name', { wrongType: [5, undefined], good: 'x-test', with: { extensionStages: [{ rsv: 0 }] } }),
  row('extensionStages[0].rsv', {
    wrongType: ['1', undefined],
    outOfRange: [8, -1, 1.5],
    range: mentions(0, 7),
    good: 2,
    with: { extensionStages: [{ name: 'x-test' }] },
  }),
  row('extensionStages[0].decoder', { wrongType: [5, 'inflate'], good: undefined, with: { extensionStages: [AGREED] } }),
  row('extensionStages[0].encoder', { wrongType: [5, {}], good: undefined, with: { extensionStages: [AGREED] } }),
  row('extensionStages[0].shared', { wrongType: [5, 'deflate'], good: undefined, with: { extensionStages: [AGREED] } }),
  row('extensionStages[0].shared.passes', { wrongType: [undefined, 5], good: () => true, with: { extensionStages: [{ ...AGREED, shared: { key: 'k' } }] } }),
  // Set by a server: how the connection joins its topics (a function the server gives).
  row('topics', { wrongType: [5, {}, 'room'], good: undefined }),
] as const;

type ConnectionPaths = PathsOf<typeof CONNECTION_TABLE>;
const connectionCovered: Covered<ConnectionOptions, ConnectionPaths> = true;
const heartbeatCovered: Covered<HeartbeatOptions, ConnectionPaths, 'heartbeat'> = true;
const extensionStagesCovered: Covered<ExtensionStages, ConnectionPaths, 'extensionStages[0]'> = true;
const stagesCovered: Covered<CustomStages, ConnectionPaths, 'stages'> &
  Covered<StageInsertion<string>, ConnectionPaths, 'stages.decode[0]'> &
  Covered<StageInsertion<string>, ConnectionPaths, 'stages.encode[0]'> = true;
void [connectionCovered, heartbeatCovered, extensionStagesCovered, stagesCovered];

/** A Connection with `options` on one end; a default one of the other role on the other end receives from it. */
const connectionEntry: EntryPoint<SocketPair> = {
  name: 'new Connection',
  base: { role: 'server' },
  prepare: () => socketPair(),
  call(options, sockets) {
    const connection = new Connection(sockets.local, options as unknown as ConnectionOptions);
    return (async () => {
      const peer = new Connection(sockets.remote, { role: connection.role === 'server' ? 'client' : 'server' });
      const received = nextEvent<[DataMessage]>(peer, 'message', 5000, 'the message at the peer');
      connection.send('over TCP');
      assert.equal((await received)[0], { type: 'text', data: 'over TCP' });
      const closed = closeOf(connection);
      peer.close(1000);
      assert.is((await closed).code, 1000);
    })();
  },
  dispose: (sockets) => sockets.close(),
};

test('the Connection table has a row for every option of CONNECTION_SCHEMA', () => {
  assertSameNames(Object.keys(CONNECTION_SCHEMA), CONNECTION_TABLE, 'new Connection');
});

for (const option of CONNECTION_TABLE) test(`new Connection: ${option.path}`, () => checkRow(connectionEntry, option));

const SEND_ROWS = [row('binary', { wrongType: ['yes', 1, null], good: true }), row('compress', { wrongType: ['no', 0], good: false })] as const;
const sendCovered: Covered<SendOptions, PathsOf<typeof SEND_ROWS>> = true;
void sendCovered;

/** The message a send with `options` makes: binary when asked, else text. */
function expectedMessage(options: Record<string, unknown>): DataMessage {
  return options.binary === true ? { type: 'binary', data: Buffer.from('payload') } : { type: 'text', data: 'payload' };
}

const sendEntry: EntryPoint<Pair> = {
  name: 'send',
  prepare: () => openPair({ perMessageDeflate: true }, { perMessageDeflate: true }),
  call(options, pair) {
    pair.client.send('payload', options as SendOptions);
    const received = nextEvent<[DataMessage]>(pair.serverSide, 'message', 5000, 'the message at the server');
    return received.then(([message]) => assert.equal(message, expectedMessage(options)));
  },
  dispose: (pair) => pair.close(),
};

const sendStreamEntry: EntryPoint<Pair> = {
  name: 'sendStream',
  refusesBy: 'rejection',
  prepare: () => openPair({ perMessageDeflate: true }, { perMessageDeflate: true }),
  call(options, pair) {
    const received = nextEvent<[DataMessage]>(pair.serverSide, 'message', 5000, 'the message at the server');
    received.catch(() => {}); // a refused call never waits for it
    const sent = pair.client.sendStream(Readable.from([Buffer.from('pay'), Buffer.from('load')]), options as SendOptions);
    return sent.then(() => received).then(([message]) => assert.equal(message, expectedMessage({ binary: true, ...options })));
  },
  dispose: (pair) => pair.close(),
};

test('the send tables have a row for every option of SEND_OPTIONS_SCHEMA', () => {
  assertSameNames(Object.keys(SEND_OPTIONS_SCHEMA), SEND_ROWS, 'send');
});

for (const option of SEND_ROWS) {
  test(`send: ${option.path}`, () => checkRow(sendEntry, option));
  test(`sendStream: ${option.path}`, () => checkRow(sendStreamEntry, option));
}

test.run();
