/** RFC 8441 §4–5: the extended CONNECT request and its 200, as pure functions, both roles. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  acceptKey,
  buildExtendedConnectRequest,
  buildExtendedConnectResponse,
  HandshakeError,
  permessageDeflate,
  validateExtendedConnectRequest,
  validateExtendedConnectResponse,
} from '../../src/index.js';

/** RFC 8441 §5.1's example request. */
const EXAMPLE = {
  ':method': 'CONNECT',
  ':protocol': 'websocket',
  ':scheme': 'https',
  ':path': '/chat',
  ':authority': 'server.example.com',
  'sec-websocket-protocol': 'chat, superchat',
  'sec-websocket-extensions': 'permessage-deflate',
  'sec-websocket-version': '13',
  origin: 'http://www.example.com',
};

function refusal(headers: Record<string, string>): { status: number; code: string; headers?: unknown } {
  try {
    validateExtendedConnectRequest(headers);
  } catch (error) {
    assert.instance(error, HandshakeError);
    const failure = error as HandshakeError;
    return { status: failure.statusCode, code: failure.code, ...(failure.headers && { headers: failure.headers }) };
  }
  throw new Error('accepted');
}

test('server: RFC 8441 §5.1\'s example is a valid request, offering its subprotocols and extensions', () => {
  const info = validateExtendedConnectRequest(EXAMPLE);
  assert.equal(info, {
    scheme: 'https',
    authority: 'server.example.com',
    path: '/chat',
    origin: 'http://www.example.com',
    protocols: ['chat', 'superchat'],
    extensions: [{ name: 'permessage-deflate', params: [] }],
    key: undefined,
  });
});

test('server: what makes an extended CONNECT invalid, and the status each gets', () => {
  assert.equal(refusal({ ...EXAMPLE, ':method': 'GET' }), { status: 400, code: 'WS_ERR_HANDSHAKE_BAD_METHOD' });
  assert.equal(refusal({ ...EXAMPLE, ':protocol': 'webtransport' }), { status: 400, code: 'WS_ERR_HANDSHAKE_BAD_UPGRADE' });
  assert.equal(refusal({ ...EXAMPLE, ':scheme': 'ftp' }), { status: 400, code: 'WS_ERR_HANDSHAKE_BAD_PSEUDO_HEADER' });
  assert.equal(refusal({ ...EXAMPLE, ':path': '*' }), { status: 400, code: 'WS_ERR_HANDSHAKE_BAD_PSEUDO_HEADER' });
  assert.equal(refusal({ ...EXAMPLE, ':authority': '' }), { status: 400, code: 'WS_ERR_HANDSHAKE_MISSING_HOST' });
  assert.equal(refusal({ ...EXAMPLE, 'sec-websocket-version': '8' }), {
    status: 426,
    code: 'WS_ERR_HANDSHAKE_BAD_VERSION',
    headers: { 'Sec-WebSocket-Version': '13' },
  });
  assert.equal(refusal({ ...EXAMPLE, 'sec-websocket-protocol': 'chat, chat' }), { status: 400, code: 'WS_ERR_HANDSHAKE_BAD_PROTOCOL' });
  assert.equal(refusal({ ...EXAMPLE, 'sec-websocket-extensions': 'permessage-deflate; =' }), { status: 400, code: 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS' });
});

test('server: a Sec-WebSocket-Key sent anyway is kept only when valid, and answered with its Accept', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  assert.is(validateExtendedConnectRequest({ ...EXAMPLE, 'sec-websocket-key': key }).key, key);
  assert.is(validateExtendedConnectRequest({ ...EXAMPLE, 'sec-websocket-key': 'short' }).key, undefined);
  assert.equal(buildExtendedConnectResponse({ key }), { ':status': 200, 'sec-websocket-accept': acceptKey(key) });
});

test('server: the 200 carries the subprotocol, extensions and extra headers; handshake and connection headers are refused', () => {
  assert.equal(buildExtendedConnectResponse({ protocol: 'chat', extensions: 'permessage-deflate', headers: { 'Set-Cookie': ['a=1', 'b=2'] } }), {
    ':status': 200,
    'sec-websocket-protocol': 'chat',
    'sec-websocket-extensions': 'permessage-deflate',
    'set-cookie': ['a=1', 'b=2'],
  });
  assert.throws(() => buildExtendedConnectResponse({ headers: { 'Sec-WebSocket-Accept': 'x' } }), /set by the handshake itself/);
  assert.throws(() => buildExtendedConnectResponse({ headers: { 'Keep-Alive': 'timeout=5' } }), /connection-specific/);
  assert.throws(() => buildExtendedConnectResponse({ headers: { 'X-Bad': 'a\r\nb' } }), /Invalid character/);
  assert.throws(() => buildExtendedConnectResponse({ protocol: 'two words' }), /Invalid subprotocol/);
});

test('client: the request has the pseudo-headers of RFC 8441 §5, no key, Upgrade or Connection; URL credentials as Authorization', () => {
  const request = buildExtendedConnectRequest('wss://user:pa%20ss@example.com:8443/chat?room=1#frag', {
    protocols: ['chat'],
    origin: 'https://example.com',
    headers: { 'X-Trace': '1' },
    extensions: [permessageDeflate({})],
  });
  assert.equal(request.headers, {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':path': '/chat?room=1',
    ':authority': 'example.com:8443',
    'sec-websocket-version': '13',
    'sec-websocket-protocol': 'chat',
    'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
    origin: 'https://example.com',
    authorization: `Basic ${Buffer.from('user:pa ss').toString('base64')}`,
    'x-trace': '1',
  });
  assert.is(buildExtendedConnectRequest('ws://example.com/').headers[':scheme'], 'http');
  assert.throws(() => buildExtendedConnectRequest('wss://example.com/', { headers: { 'Sec-WebSocket-Key': 'x' } }), /set by the handshake itself/);
});

test('client: a 200 is checked as on HTTP/1.1 (subprotocol and extensions offered); anything else is a HandshakeError with its status', () => {
  const request = buildExtendedConnectRequest('wss://example.com/', { protocols: ['chat'] });
  assert.equal(validateExtendedConnectResponse({ statusCode: 200, headers: { 'sec-websocket-protocol': 'chat' } }, request).protocol, 'chat');
  const notOffered = (() => {
    try {
      validateExtendedConnectResponse({ statusCode: 200, headers: { 'sec-websocket-protocol': 'other' } }, request);
    } catch (error) {
      return (error as HandshakeError).code;
    }
    return null;
  })();
  assert.is(notOffered, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL');
  try {
    validateExtendedConnectResponse({ statusCode: 101, headers: {} }, request);
    assert.unreachable('a 101 is not a success on HTTP/2');
  } catch (error) {
    assert.is((error as HandshakeError).statusCode, 101);
    assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_BAD_STATUS');
  }
});

test.run();
