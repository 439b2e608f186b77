import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAcceptResponse } from '../../src/handshake/index.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const isTypeError = (e: unknown): boolean => e instanceof TypeError;

test('the RFC 6455 §1.3 response, byte for byte', () => {
  assert.is(
    buildAcceptResponse({ key: KEY }),
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
      '\r\n',
  );
});

test('protocol, extensions and extra headers', () => {
  const head = buildAcceptResponse({
    key: KEY,
    protocol: 'chat',
    extensions: 'permessage-deflate; server_max_window_bits=10',
    headers: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Server': 'wspipe' },
  });
  assert.is(
    head,
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
      'Sec-WebSocket-Protocol: chat\r\n' +
      'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n' +
      'Set-Cookie: a=1\r\n' +
      'Set-Cookie: b=2\r\n' +
      'X-Server: wspipe\r\n' +
      '\r\n',
  );
  assert.ok(head.endsWith('\r\n\r\n'));
  assert.not.ok(/[^\r]\n/.test(head), 'every LF is preceded by CR');
});

test('empty extensions are left out', () => {
  assert.not.match(buildAcceptResponse({ key: KEY, extensions: '' }), /Extensions/);
});

test('CR/LF injection is refused', () => {
  assert.throws(() => buildAcceptResponse({ key: KEY, headers: { 'X-A': 'ok\r\nSet-Cookie: evil=1' } }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, headers: { 'X-A': 'line\nbreak' } }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, headers: { 'X-A': ['fine', 'bad\r'] } }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, headers: { 'X-A': 'nul\0' } }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, headers: { 'X A': 'v' } }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, headers: { 'X-A\r\nB': 'v' } }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, protocol: 'chat\r\nX: 1' }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, protocol: '' }), isTypeError);
  assert.throws(() => buildAcceptResponse({ key: KEY, extensions: 'permessage-deflate\r\nX: 1' }), isTypeError);
  // A tab and obs-text are legal in a value.
  assert.match(buildAcceptResponse({ key: KEY, headers: { 'X-A': 'a\tb \xe9' } }), 'X-A: a\tb \xe9\r\n');
});

test('extra headers cannot repeat the handshake headers', () => {
  for (const name of ['Upgrade', 'connection', 'Sec-WebSocket-Accept', 'sec-websocket-protocol', 'Sec-WebSocket-Extensions']) {
    assert.throws(() => buildAcceptResponse({ key: KEY, headers: { [name]: 'x' } }), isTypeError, name);
  }
});

test.run();
