/**
 * The extension API's negotiation (RFC 6455 §9.1), both roles, over real handshakes:
 * order, several offers per extension, reserved bits, declines, failures.
 */
import { execFile } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, createServer, HandshakeError, negotiateExtensions, parseExtensions, permessageDeflate, RSV1, RSV2, RSV3, type Extension } from '../../src/index.js';
import { plainExtension } from '../helpers/extensions.js';
import { withTimeout } from '../helpers/timeouts.js';
import type { AddressInfo } from 'node:net';

test('server: agreed in the order the client first offered them; all offers of one go to its respond()', () => {
  const a = plainExtension('x-a', RSV2);
  const b = plainExtension('x-b', RSV3);
  const { header, agreed } = negotiateExtensions(parseExtensions('x-b; v=1, x-a; p=2, x-b; v=2, x-unknown'), [a, b]);
  assert.is(header, 'x-b; v=1, x-a; p=2');
  assert.equal(agreed.map((entry) => entry.extension.name), ['x-b', 'x-a']);
  assert.equal(b.seen, [[{ name: 'x-b', params: [['v', '1']] }, { name: 'x-b', params: [['v', '2']] }]]);
});

test('server: a later extension whose reserved bits are taken is declined; respond() null declines', () => {
  const first = plainExtension('x-first', RSV2);
  const clash = plainExtension('x-clash', RSV2 | RSV3);
  const shy: Extension = { ...plainExtension('x-shy', RSV3), respond: () => null };
  const { header, agreed } = negotiateExtensions(parseExtensions('x-first, x-clash, x-shy'), [first, clash, shy]);
  assert.is(header, 'x-first');
  assert.equal(agreed.map((entry) => entry.extension.name), ['x-first']);
  assert.is(negotiateExtensions(parseExtensions('x-shy'), [shy]).header, undefined);
});

test('client: a response with an extension not offered, twice, or two sharing a bit fails the connection', async () => {
  const cases: Array<[string, string, string]> = [
    ['x-other', 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED', 'not offered'],
    ['x-a, x-a', 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', 'twice'],
    ['x-a, x-b', 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', 'same reserved bits'],
  ];
  for (const [response, code, words] of cases) {
    // A ws server with a handleProtocols-like hook cannot send arbitrary extensions: answer by hand.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('headers', (headers) => headers.push(`Sec-WebSocket-Extensions: ${response}`));
    await new Promise((resolve) => wss.once('listening', resolve));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    try {
      const error = await connect(url, { extensions: [plainExtension('x-a', RSV2), plainExtension('x-b', RSV2)] }).then(
        () => assert.unreachable('connected'),
        (failure: unknown) => failure,
      );
      assert.instance(error, HandshakeError, response);
      assert.is((error as HandshakeError).code, code, response);
      assert.match((error as Error).message, words);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  }
});

test("client: an extension's accept() that throws fails the connection with a HandshakeError naming it", async () => {
  const picky: Extension = {
    ...plainExtension('x-picky', RSV2),
    accept: () => {
      throw new Error('parameter q is required');
    },
  };
  const server = createServer({ host: '127.0.0.1', port: 0, extensions: [plainExtension('x-picky', RSV2)] });
  const { port } = await server.listen();
  try {
    const error = (await connect(`ws://127.0.0.1:${port}/`, { extensions: [picky] }).then(
      () => assert.unreachable('connected'),
      (failure: unknown) => failure,
    )) as HandshakeError;
    assert.instance(error, HandshakeError);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS');
    assert.match(error.message, /x-picky.*parameter q is required/);
  } finally {
    await server.close({ timeout: 1000 });
  }
});

test('configuration mistakes throw at the call: duplicate names, bad bits, a deflate given twice, a stage after no stage', () => {
  const noServer = { noServer: true } as const;
  assert.throws(() => createServer({ ...noServer, extensions: [plainExtension('x-a'), plainExtension('x-a')] }), /given twice/);
  assert.throws(() => createServer({ ...noServer, extensions: [plainExtension('x-a', 8)] }), RangeError);
  assert.throws(() => createServer({ ...noServer, extensions: [plainExtension('not a token')] }), TypeError);
  assert.throws(() => createServer({ ...noServer, extensions: [{ name: 'x' } as unknown as Extension] }), TypeError);
  assert.throws(() => createServer({ ...noServer, perMessageDeflate: true, extensions: [permessageDeflate()] }), /given twice/);
  assert.throws(() => permessageDeflate({ level: 42 }), /"permessageDeflate\.level"/);
  // Role-specific: a server cannot compress with an 8-bit window.
  assert.throws(() => createServer({ ...noServer, extensions: [permessageDeflate({ serverMaxWindowBits: 8 })] }), RangeError);
  assert.not.throws(() => connect('ws://127.0.0.1:1/', { extensions: [permessageDeflate({ serverMaxWindowBits: 8 })] }).catch(() => {}));
  assert.throws(
    () => createServer({ ...noServer, extensions: [plainExtension('x-a')], stages: { decode: [{ after: 'x-b', core: (next) => next as never }] } }),
    /must name a stage: .*x-a/,
  );
  assert.not.throws(() => createServer({ ...noServer, extensions: [plainExtension('x-a')], stages: { decode: [{ after: 'x-a', core: (next) => next as never }] } }));
});

test('the decode chain allows exactly the reserved bits agreed: RSV2 without the extension is 1002', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // A masked text frame "x" with RSV2 set, written under ws's feet.
    (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0xa1, 0x81, 1, 2, 3, 4, 0x78 ^ 1]));
    assert.is(await withTimeout(closed, 3000, 'the close'), 1002);
  } finally {
    ws.terminate();
    await server.close({ timeout: 1000 });
  }
});

test('the crc32 example (RSV2, public API only): negotiated between wspipe peers beside permessage-deflate, declined by ws', async () => {
  const output = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', 'examples/crc32-extension.ts'], { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  assert.match(output, /wspipe ↔ wspipe: permessage-deflate, x-crc32/);
  assert.match(output, /echo of 2300 chars arrived intact/);
  assert.match(output, /wspipe → ws: extensions ""/);
  assert.match(output, /ws echoed: plain/);
  assert.match(output, /ws → wspipe: extensions "", got hi/);
});

test('RSV1 stays permessage-deflate\'s: an extension claiming RSV1 beside it is never agreed twice', () => {
  const other = plainExtension('x-zip', RSV1);
  const { header } = negotiateExtensions(parseExtensions('permessage-deflate, x-zip'), [permessageDeflate(), other]);
  assert.is(header, 'permessage-deflate');
});

test.run();
