import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  acceptKey,
  buildUpgradeRequest,
  HandshakeError,
  validateUpgradeResponse,
  type UpgradeRequest,
  type UpgradeRequestOptions,
} from '../../src/handshake/index.js';
import { permessageDeflate } from '../../src/extensions/index.js';
import { plainExtension } from '../helpers/extensions.js';

function setup(options: UpgradeRequestOptions = {}) {
  const request = buildUpgradeRequest('ws://example.com/', options);
  const headers = (extra: Record<string, string | string[] | undefined> = {}) => {
    const all: Record<string, string | string[] | undefined> = {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-accept': acceptKey(request.key),
      ...extra,
    };
    for (const name of Object.keys(all)) if (all[name] === undefined) delete all[name];
    return all;
  };
  return { request, headers };
}

function failure(response: { statusCode: number; headers: Record<string, string | string[] | undefined> }, request: UpgradeRequest): HandshakeError {
  try {
    validateUpgradeResponse(response, request);
  } catch (error) {
    assert.instance(error, HandshakeError);
    return error as HandshakeError;
  }
  assert.unreachable('the response was accepted');
  throw new Error('unreachable');
}

test('a minimal valid 101', () => {
  const { request, headers } = setup();
  assert.equal(validateUpgradeResponse({ statusCode: 101, headers: headers() }, request), {
    protocol: '',
    extensions: [],
    agreed: [],
  });
});

test('tokens are case-insensitive; Connection may be a list', () => {
  const { request, headers } = setup();
  assert.ok(validateUpgradeResponse({ statusCode: 101, headers: headers({ upgrade: 'WebSocket', connection: 'keep-alive, UPGRADE' }) }, request));
});

test('status other than 101', () => {
  const { request, headers } = setup();
  const error = failure({ statusCode: 200, headers: headers() }, request);
  assert.is(error.code, 'WS_ERR_HANDSHAKE_BAD_STATUS');
  assert.is(error.statusCode, 200);
  assert.is(failure({ statusCode: 426, headers: {} }, request).statusCode, 426);
});

test('missing or wrong Upgrade / Connection', () => {
  const { request, headers } = setup();
  assert.is(failure({ statusCode: 101, headers: headers({ upgrade: undefined }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_UPGRADE');
  assert.is(failure({ statusCode: 101, headers: headers({ upgrade: 'h2c' }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_UPGRADE');
  assert.is(failure({ statusCode: 101, headers: headers({ upgrade: 'websocket, h2c' }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_UPGRADE');
  assert.is(failure({ statusCode: 101, headers: headers({ connection: undefined }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_CONNECTION');
  assert.is(failure({ statusCode: 101, headers: headers({ connection: 'close' }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_CONNECTION');
});

test('Sec-WebSocket-Accept must match our key', () => {
  const { request, headers } = setup();
  const other = buildUpgradeRequest('ws://example.com/');
  for (const accept of [undefined, '', acceptKey(other.key), acceptKey(request.key).toLowerCase(), [acceptKey(request.key)]]) {
    const error = failure({ statusCode: 101, headers: headers({ 'sec-websocket-accept': accept }) }, request);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_BAD_ACCEPT');
    assert.is(error.statusCode, 101);
  }
});

test('subprotocol: must be one we offered; none is fine', () => {
  const { request, headers } = setup({ protocols: ['chat', 'superchat'] });
  assert.is(validateUpgradeResponse({ statusCode: 101, headers: headers({ 'sec-websocket-protocol': 'superchat' }) }, request).protocol, 'superchat');
  assert.is(validateUpgradeResponse({ statusCode: 101, headers: headers() }, request).protocol, '');
  for (const protocol of ['other', 'Chat', 'chat, superchat', '', ['chat', 'chat']]) {
    assert.is(failure({ statusCode: 101, headers: headers({ 'sec-websocket-protocol': protocol }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL');
  }
});

test('subprotocol sent when none was offered', () => {
  const { request, headers } = setup();
  assert.is(failure({ statusCode: 101, headers: headers({ 'sec-websocket-protocol': 'chat' }) }, request).code, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL');
});

test('permessage-deflate accepted: the agreed extension and its element returned', () => {
  const { request, headers } = setup({ extensions: [permessageDeflate({ threshold: 16 })] });
  const result = validateUpgradeResponse(
    { statusCode: 101, headers: headers({ 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits=10' }) },
    request,
  );
  assert.equal(result.agreed.map((entry) => [entry.extension.name, entry.element.params, entry.stages.rsv]), [
    ['permessage-deflate', [['client_max_window_bits', '10']], 0x4],
  ]);
  assert.equal(result.extensions.map((e) => e.name), ['permessage-deflate']);
});

test('extensions: not offered, twice, malformed, or bad parameters → fail', () => {
  const plain = setup();
  assert.is(
    failure({ statusCode: 101, headers: plain.headers({ 'sec-websocket-extensions': 'permessage-deflate' }) }, plain.request).code,
    'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED',
  );
  const foo = plainExtension('x-foo');
  const { request, headers } = setup({ extensions: [permessageDeflate(), foo] });
  const cases: Array<[string | string[], HandshakeError['code']]> = [
    ['x-bar', 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED'],
    ['permessage-deflate, permessage-deflate', 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS'],
    [['permessage-deflate', 'permessage-deflate'], 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS'],
    ['permessage-deflate;', 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS'],
    ['permessage-deflate; foo=1', 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS'],
    ['permessage-deflate; client_max_window_bits=8', 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS'],
  ];
  for (const [value, code] of cases) {
    const error = failure({ statusCode: 101, headers: headers({ 'sec-websocket-extensions': value }) }, request);
    assert.is(error.code, code, String(value));
  }
  // Another offered extension accepts its own element.
  const ok = validateUpgradeResponse({ statusCode: 101, headers: headers({ 'sec-websocket-extensions': 'x-foo' }) }, request);
  assert.equal(ok.extensions, [{ name: 'x-foo', params: [] }]);
  assert.equal(ok.agreed.map((entry) => entry.extension.name), ['x-foo']);
  assert.equal(foo.seen, [[{ name: 'x-foo', params: [] }]]);
});

test.run();
