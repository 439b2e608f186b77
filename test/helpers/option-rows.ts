/**
 * The rows of the option tables that several entry points share: the connection options
 * (server, connect, WebSocket, Connection, connect$), permessage-deflate as a server and as
 * a client, and the TLS options of the clients. Ranges are what a user needs to read in
 * the error: the bounds, and "integer" where a fraction is the mistake.
 */
import { MemoryBudget } from '../../src/transforms/memory-budget.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { RecordSink, StageCore } from '../../src/index.js';
import { plainExtension } from './extensions.js';
import { row } from './option-table.js';
import { testPki } from './tls.js';

/** A regex requiring every word or number, each as a whole token, in any order. */
export function mentions(...words: ReadonlyArray<string | number>): RegExp {
  const parts = words.map((word) => {
    const escaped = String(word).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return `(?=[^]*(?<![\\w.])(?<!(?<!\\w)-)${escaped}(?![\\w]|\\.\\d))`;
  });
  return new RegExp(`^${parts.join('')}`);
}

/** Node's timers take at most 2^31 - 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const passThrough = (): PassThrough => new PassThrough({ objectMode: true });
/** A fused user stage that passes every record on. */
const passCore = (next: RecordSink<never>): StageCore<never> => ({ accept: (record: never) => next.accept(record) });

/** What every connection takes: ConnectionOptions less what the handshake decides. */
export const CONNECTION_ROWS = [
  row('maxPayload', { wrongType: ['abc', '1024', true, null], outOfRange: [-1, 1.5, NaN], range: mentions('integer', 0), good: 1 << 20 }),
  row('maxFragments', { wrongType: ['8', {}], outOfRange: [0, -1, 2.5], range: mentions('integer', 1), good: 16 }),
  row('fragmentSize', { wrongType: ['1024', false], outOfRange: [0, -5, 0.5], range: mentions('integer', 1), good: 1024 }),
  row('autoPong', { wrongType: ['yes', 1], good: false }),
  row('idleTimeout', { wrongType: ['60000', null], outOfRange: [-1, 1.5, MAX_TIMER_MS + 1], range: mentions(0, MAX_TIMER_MS), good: 60_000 }),
  row('rateLimit', { wrongType: [5, 'fast', true], good: { messagesPerSecond: 1000 } }),
  row('rateLimit.messagesPerSecond', { wrongType: ['100'], outOfRange: [0, -1], range: mentions('number'), good: 100 }),
  row('rateLimit.bytesPerSecond', { wrongType: ['1e6'], outOfRange: [0, -5], range: mentions('number'), good: 1e6 }),
  row('rateLimit.burst', { wrongType: ['2'], outOfRange: [0, -1], range: mentions('number'), good: 2 }),
  row('rateLimit.onLimit', { wrongType: [1, true], outOfRange: ['drop', 'Pause'], range: mentions('pause', 'close'), good: 'close' }),
  row('messageMemory', { wrongType: [5, 1 << 20, {}], good: new MemoryBudget(1 << 20) }),
  row('onSendBufferFull', { wrongType: [true, 1], outOfRange: ['drop', 'Close'], range: mentions('throw', 'close'), good: 'close' }),
  row('closeTimeout', { wrongType: ['1000'], outOfRange: [-1, MAX_TIMER_MS + 1, 1.5], range: mentions(0, MAX_TIMER_MS), good: 5000 }),
  row('heartbeat', { wrongType: [5, 'yes', true, [1000]], good: { interval: 60_000 } }),
  row('heartbeat.interval', {
    wrongType: ['10', undefined],
    outOfRange: [-5, 0, MAX_TIMER_MS + 1, 0.5],
    range: mentions(1, MAX_TIMER_MS),
    good: 60_000,
  }),
  row('heartbeat.timeout', {
    wrongType: ['5'],
    outOfRange: [0, -1, MAX_TIMER_MS + 1],
    range: mentions(1, MAX_TIMER_MS),
    good: 30_000,
    with: { heartbeat: { interval: 60_000 } },
  }),
  row('maxBufferedAmount', { wrongType: ['1', null], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 1 << 20 }),
  row('streamMessages', { wrongType: ['true', 1], good: true }),
  row('stages', { wrongType: [5, 'x', [passThrough]], good: {} }),
  row('stages.decode', { wrongType: [5, {}, passThrough], good: [] }),
  row('stages.decode[0]', { wrongType: [5, passThrough], good: { after: 'Defragmenter', create: passThrough } }),
  row('stages.decode[0]', {
    wrongType: [{ after: 'Defragmenter' }, { after: 'Defragmenter', core: passCore, create: passThrough }],
    good: { after: 'Defragmenter', core: passCore }
  }),
  row('stages.decode[0].after', { wrongType: [5, undefined, null], good: 'HeaderParser', with: { stages: { decode: [{ create: passThrough }] } } }),
  row('stages.decode[0].after', {
    wrongType: [],
    outOfRange: ['Nowhere', 'headerparser'],
    range: mentions('HeaderParser', 'Defragmenter', 'MessageDecoder'),
    good: 'MessageDecoder',
    with: { stages: { decode: [{ create: passThrough }] } }
  }),
  row('stages.decode[0].create', { wrongType: ['new PassThrough()', 5], good: passThrough, with: { stages: { decode: [{ after: 'Defragmenter' }] } } }),
  row('stages.decode[0].core', { wrongType: [{ accept() {} }, 'core'], good: passCore, with: { stages: { decode: [{ after: 'Defragmenter' }] } } }),
  row('stages.encode', { wrongType: [5, {}], good: [] }),
  row('stages.encode[0]', { wrongType: ['Fragmenter'], good: { after: 'Fragmenter', create: passThrough } }),
  row('stages.encode[0].after', { wrongType: [5, undefined], good: 'MessageEncoder', with: { stages: { encode: [{ create: passThrough }] } } }),
  row('stages.encode[0].after', {
    wrongType: [],
    outOfRange: ['Nowhere', 'HeaderParser'],
    range: mentions('MessageEncoder', 'Fragmenter', 'FrameSerializer'),
    good: 'Fragmenter',
    with: { stages: { encode: [{ create: passThrough }] } }
  }),
  row('stages.encode[0].create', { wrongType: [5, true], good: passThrough, with: { stages: { encode: [{ after: 'Fragmenter' }] } } }),
  row('stages.encode[0].core', { wrongType: [5, {}], good: passCore, with: { stages: { encode: [{ after: 'MessageEncoder' }] } } }),
] as const;

/** Extensions to negotiate (the Extension API), for servers and clients alike. */
export const EXTENSION_ROWS = [
  row('extensions', { wrongType: [5, 'permessage-deflate', {}], good: [] }),
  row('extensions[0]', { wrongType: [5, {}, { name: 'x-test' }, 'permessage-deflate'], good: plainExtension('x-test') }),
] as const;

/** The permessage-deflate tuning that is not negotiated: the same for both roles. */
const DEFLATE_TUNING_ROWS = [
  row('perMessageDeflate', { wrongType: ['yes', 1, null, ['level']], good: { threshold: 0 } }),
  row('perMessageDeflate.threshold', { wrongType: ['1024'], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 0 }),
  row('perMessageDeflate.level', { wrongType: ['9'], outOfRange: [42, 10, -2, 1.5], range: mentions(-1, 9), good: 9 }),
  row('perMessageDeflate.memLevel', { wrongType: ['8'], outOfRange: [0, 10], range: mentions(1, 9), good: 9 }),
  row('perMessageDeflate.serverNoContextTakeover', { wrongType: ['yes', 0], good: true }),
  row('perMessageDeflate.clientNoContextTakeover', { wrongType: ['no', 1], good: true }),
] as const;

/**
 * A server compresses with serverMaxWindowBits, so it must be one zlib can honour (9..15:
 * zlib turns 8 into 9); the client's window it only limits, 8..15 (RFC 7692 §7.1.2).
 */
export const SERVER_DEFLATE_ROWS = [
  ...DEFLATE_TUNING_ROWS,
  row('perMessageDeflate.serverMaxWindowBits', { wrongType: ['15', true], outOfRange: [8, 16, 7, 12.5], range: mentions(9, 15), good: 9 }),
  // 8 is accepted too, but our own client then refuses the response (reported): 10 here.
  row('perMessageDeflate.clientMaxWindowBits', { wrongType: ['15', null], outOfRange: [7, 16, 9.5], range: mentions(8, 15), good: 10 }),
] as const;

/** A client compresses with clientMaxWindowBits (9..15) and may ask the server for any window (8..15). */
export const CLIENT_DEFLATE_ROWS = [
  ...DEFLATE_TUNING_ROWS,
  row('perMessageDeflate.serverMaxWindowBits', { wrongType: ['15', true], outOfRange: [7, 16, 10.5], range: mentions(8, 15), good: 8 }),
  row('perMessageDeflate.clientMaxWindowBits', { wrongType: ['15', null], outOfRange: [8, 16], range: mentions(9, 15), good: 9 }),
] as const;

/**
 * The TLS options the clients pass to the TLS layer. A call with any of them goes to a
 * wss:// server (see `usesTls`), and trusts the test CA unless the row says otherwise.
 */
export function tlsRows() {
  const pki = testPki();
  return [
    row('ca', { wrongType: [5, true, { pem: 'x' }], good: pki.ca }),
    row('ca[0]', { wrongType: [5, true, null], good: pki.ca }),
    row('cert', { wrongType: [5, false], good: pki.cert, with: { key: pki.key } }),
    row('key', { wrongType: [5, {}], good: pki.key, with: { cert: pki.cert } }),
    row('pfx', { wrongType: [5, true], good: testPfx().pfx, with: { passphrase: testPfx().passphrase } }),
    row('passphrase', { wrongType: [5, Buffer.from('secret')], good: testPfx().passphrase, with: { pfx: testPfx().pfx } }),
    row('rejectUnauthorized', { wrongType: ['false', 0], good: false, with: { ca: undefined } }),
    row('servername', { wrongType: [5, true], good: 'localhost' }),
    row('checkServerIdentity', { wrongType: ['strict', true], good: () => undefined }),
    row('minVersion', { wrongType: [1.2, 12], outOfRange: ['TLSv1.4', 'tls1.2', 'TLSv1_2'], range: mentions('TLSv1.2', 'TLSv1.3'), good: 'TLSv1.2' }),
  ] as const;
}

export const TLS_OPTION_NAMES = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'checkServerIdentity', 'minVersion'] as const;

/** Whether a client call with `options` needs the wss:// server. */
export function usesTls(options: Record<string, unknown>): boolean {
  return TLS_OPTION_NAMES.some((name) => name in options);
}

/** The options of a client (connect, WebSocket, connect$) that are not connection or TLS options. */
export const CLIENT_ROWS = [
  row('protocols', { wrongType: [5, true, {}, null], outOfRange: ['a b', '', 'chat,superchat'], range: mentions('token'), good: 'chat' }),
  row('protocols[0]', { wrongType: [5, null], outOfRange: ['a b', '{x}'], range: mentions('token'), good: 'chat' }),
  row('headers', { wrongType: ['X-Test: 1', 5, ['X-Test', '1']], good: { 'X-Test': '1' } }),
  row('origin', { wrongType: [5, new URL('http://example.com')], good: 'http://example.com' }),
  row('agent', { wrongType: [5, {}, true], good: new Agent() }),
  row('handshakeTimeout', { wrongType: ['5000', null], outOfRange: [-1, 0, MAX_TIMER_MS + 1, 1.5], range: mentions(1, MAX_TIMER_MS), good: 5000 }),
  row('followRedirects', { wrongType: ['yes', 1], good: true }),
  row('maxRedirects', { wrongType: ['3'], outOfRange: [-1, 1.5], range: mentions('integer', 0), good: 3 }),
  row('http2', { wrongType: ['yes', 5, {}], good: false }),
  // 'env' with no proxy variables set means no proxy: the connection goes direct.
  row('proxy', { wrongType: [5, {}, true], outOfRange: ['ftp://proxy:21', 'socks5://127.0.0.1:1080'], range: mentions('http://'), good: 'env' }),
] as const;

let pfx: { pfx: Buffer; passphrase: string } | undefined;

/** The test server certificate and key as PKCS#12 (what `pfx` takes), with its passphrase. */
export function testPfx(): { pfx: Buffer; passphrase: string } {
  if (pfx) return pfx;
  const pki = testPki();
  pfx = { pfx: pkcs12(pki.certFile, pki.keyFile, 'wspipe-test'), passphrase: 'wspipe-test' };
  return pfx;
}

function pkcs12(certFile: string, keyFile: string, passphrase: string): Buffer {
  const out = join(dirname(certFile), 'client.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-in', certFile, '-inkey', keyFile, '-out', out, '-passout', `pass:${passphrase}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return readFileSync(out);
}
