import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandshakeError, validateUpgradeRequest, type UpgradeRequestLike } from '../../src/handshake/index.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function request(
  headers: Record<string, string | string[] | undefined> = {},
  extra: Partial<Pick<UpgradeRequestLike, 'method' | 'httpVersion'>> = {},
): UpgradeRequestLike {
  const base: Record<string, string | string[] | undefined> = {
    host: 'server.example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
    ...headers,
  };
  for (const name of Object.keys(base)) if (base[name] === undefined) delete base[name];
  return { method: 'GET', httpVersion: '1.1', headers: base, ...extra };
}

function failure(req: UpgradeRequestLike): HandshakeError {
  try {
    validateUpgradeRequest(req);
  } catch (error) {
    assert.instance(error, HandshakeError);
    return error as HandshakeError;
  }
  assert.unreachable('the request was accepted');
  throw new Error('unreachable');
}

function expect400(req: UpgradeRequestLike, code: HandshakeError['code']): void {
  const error = failure(req);
  assert.is(error.statusCode, 400);
  assert.is(error.code, code);
  assert.ok(error.message.length > 0 && error.message.length < 120, error.message);
}

test('the RFC 6455 §1.2 example request is accepted', () => {
  const info = validateUpgradeRequest(
    request({
      origin: 'http://example.com',
      'sec-websocket-protocol': 'chat, superchat',
    }),
  );
  assert.is(info.key, KEY);
  assert.is(info.version, 13);
  assert.is(info.host, 'server.example.com');
  assert.is(info.origin, 'http://example.com');
  assert.equal(info.protocols, ['chat', 'superchat']);
  assert.equal(info.extensions, []);
});

test('no optional headers: no protocols, no extensions, no origin', () => {
  const info = validateUpgradeRequest(request());
  assert.equal(info.protocols, []);
  assert.equal(info.extensions, []);
  assert.is(info.origin, undefined);
});

test('method must be GET', () => {
  expect400(request({}, { method: 'POST' }), 'WS_ERR_HANDSHAKE_BAD_METHOD');
  expect400(request({}, { method: 'get' }), 'WS_ERR_HANDSHAKE_BAD_METHOD');
  expect400(request({}, { method: undefined }), 'WS_ERR_HANDSHAKE_BAD_METHOD');
});

test('HTTP/1.1 or later', () => {
  expect400(request({}, { httpVersion: '1.0' }), 'WS_ERR_HANDSHAKE_BAD_HTTP_VERSION');
  expect400(request({}, { httpVersion: '0.9' }), 'WS_ERR_HANDSHAKE_BAD_HTTP_VERSION');
  expect400(request({}, { httpVersion: 'x' }), 'WS_ERR_HANDSHAKE_BAD_HTTP_VERSION');
  assert.ok(validateUpgradeRequest(request({}, { httpVersion: '1.2' })));
  assert.ok(validateUpgradeRequest(request({}, { httpVersion: '2.0' })));
});

test('Host is required', () => {
  expect400(request({ host: undefined }), 'WS_ERR_HANDSHAKE_MISSING_HOST');
  expect400(request({ host: '' }), 'WS_ERR_HANDSHAKE_MISSING_HOST');
  expect400(request({ host: ['a', 'b'] }), 'WS_ERR_HANDSHAKE_MISSING_HOST');
});

test('Upgrade must contain the token websocket (case-insensitive)', () => {
  expect400(request({ upgrade: undefined }), 'WS_ERR_HANDSHAKE_BAD_UPGRADE');
  expect400(request({ upgrade: 'h2c' }), 'WS_ERR_HANDSHAKE_BAD_UPGRADE');
  expect400(request({ upgrade: 'websockets' }), 'WS_ERR_HANDSHAKE_BAD_UPGRADE');
  assert.ok(validateUpgradeRequest(request({ upgrade: 'WebSocket' })));
  assert.ok(validateUpgradeRequest(request({ upgrade: 'h2c, websocket' })));
});

test('Connection must contain the token upgrade (case-insensitive)', () => {
  expect400(request({ connection: undefined }), 'WS_ERR_HANDSHAKE_BAD_CONNECTION');
  expect400(request({ connection: 'keep-alive' }), 'WS_ERR_HANDSHAKE_BAD_CONNECTION');
  expect400(request({ connection: 'upgraded' }), 'WS_ERR_HANDSHAKE_BAD_CONNECTION');
  assert.ok(validateUpgradeRequest(request({ connection: 'keep-alive, Upgrade' })), 'Firefox style');
  assert.ok(validateUpgradeRequest(request({ connection: 'UPGRADE' })));
  assert.ok(validateUpgradeRequest(request({ connection: ['keep-alive', 'upgrade'] })));
});

test('Sec-WebSocket-Version other than 13, or missing → 426 with Sec-WebSocket-Version: 13', () => {
  for (const version of ['8', '12', '14', '13, 8', '', undefined]) {
    const error = failure(request({ 'sec-websocket-version': version }));
    assert.is(error.statusCode, 426, String(version));
    assert.is(error.code, 'WS_ERR_HANDSHAKE_BAD_VERSION');
    assert.equal(error.headers, { 'Sec-WebSocket-Version': '13' });
  }
  assert.is(failure(request({ 'sec-websocket-version': ['13', '13'] })).statusCode, 426);
});

test('Sec-WebSocket-Key must be base64 of exactly 16 bytes', () => {
  expect400(request({ 'sec-websocket-key': undefined }), 'WS_ERR_HANDSHAKE_BAD_KEY');
  expect400(request({ 'sec-websocket-key': Buffer.alloc(15, 1).toString('base64') }), 'WS_ERR_HANDSHAKE_BAD_KEY');
  expect400(request({ 'sec-websocket-key': Buffer.alloc(17, 1).toString('base64') }), 'WS_ERR_HANDSHAKE_BAD_KEY');
  expect400(request({ 'sec-websocket-key': 'not base64 at all!!!!!==' }), 'WS_ERR_HANDSHAKE_BAD_KEY');
  expect400(request({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ' }), 'WS_ERR_HANDSHAKE_BAD_KEY');
  expect400(request({ 'sec-websocket-key': `${KEY}, ${KEY}` }), 'WS_ERR_HANDSHAKE_BAD_KEY');
  expect400(request({ 'sec-websocket-key': [KEY, KEY] }), 'WS_ERR_HANDSHAKE_BAD_KEY');
});

test('invalid Sec-WebSocket-Protocol → 400', () => {
  expect400(request({ 'sec-websocket-protocol': 'chat, ch at' }), 'WS_ERR_HANDSHAKE_BAD_PROTOCOL');
  expect400(request({ 'sec-websocket-protocol': 'chat, chat' }), 'WS_ERR_HANDSHAKE_BAD_PROTOCOL');
  assert.equal(validateUpgradeRequest(request({ 'sec-websocket-protocol': ['a', 'b, c'] })).protocols, ['a', 'b', 'c']);
});

test('extension offers are parsed; malformed ones → 400', () => {
  const info = validateUpgradeRequest(
    request({ 'sec-websocket-extensions': ['permessage-deflate; client_max_window_bits', 'x-foo; a="1"'] }),
  );
  assert.equal(
    info.extensions.map((e) => [e.name, [...e.params]]),
    [
      ['permessage-deflate', [['client_max_window_bits', true]]],
      ['x-foo', [['a', '1']]],
    ],
  );
  expect400(request({ 'sec-websocket-extensions': 'permessage-deflate;' }), 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS');
});

test.run();
