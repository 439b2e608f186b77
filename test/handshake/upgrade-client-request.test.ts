import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildUpgradeRequest, isValidKey, parseExtensions, validateUpgradeRequest } from '../../src/handshake/index.js';
import { permessageDeflate } from '../../src/extensions/index.js';
import { plainExtension } from '../helpers/extensions.js';

const isTypeError = (e: unknown): boolean => e instanceof TypeError;

/** The request as a server would see it (lower-case names, HTTP/1.1 GET). */
function asServerSees(headers: Record<string, string | string[]>) {
  const lower: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { method: 'GET', httpVersion: '1.1', headers: lower };
}

test('the basic request: host, upgrade headers, a fresh valid key', () => {
  const request = buildUpgradeRequest(new URL('ws://example.com/chat?room=1#frag'));
  assert.ok(isValidKey(request.key));
  assert.is(request.path, '/chat?room=1');
  assert.equal(request.headers, {
    Host: 'example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': request.key,
    'Sec-WebSocket-Version': '13',
  });
  assert.equal(request.protocols, []);
  assert.is(request.extensions, undefined);
  assert.is.not(buildUpgradeRequest('ws://example.com').key, request.key);
});

test('Host keeps a non-default port and drops the default one', () => {
  assert.is(buildUpgradeRequest('ws://example.com:8080/').headers['Host'], 'example.com:8080');
  assert.is(buildUpgradeRequest('ws://example.com:80/').headers['Host'], 'example.com');
  assert.is(buildUpgradeRequest('wss://example.com:443/').headers['Host'], 'example.com');
  assert.is(buildUpgradeRequest('wss://[::1]:9000').headers['Host'], '[::1]:9000');
  assert.is(buildUpgradeRequest('ws://example.com').path, '/');
});

test('only ws, wss, http and https URLs', () => {
  assert.throws(() => buildUpgradeRequest('ftp://example.com/'), isTypeError);
  assert.ok(buildUpgradeRequest('https://example.com/'));
});

test('subprotocols: tokens, no repeats', () => {
  const request = buildUpgradeRequest('ws://h/', { protocols: ['chat', 'superchat'] });
  assert.is(request.headers['Sec-WebSocket-Protocol'], 'chat, superchat');
  assert.equal(request.protocols, ['chat', 'superchat']);
  assert.is(buildUpgradeRequest('ws://h/', { protocols: 'one' }).headers['Sec-WebSocket-Protocol'], 'one');
  assert.throws(() => buildUpgradeRequest('ws://h/', { protocols: ['a', 'a'] }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { protocols: ['a b'] }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { protocols: [''] }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { protocols: ['a,b'] }), isTypeError);
});

test('extensions: each extension\'s offers in order; offers that are not tokens refused', () => {
  const request = buildUpgradeRequest('ws://h/', { extensions: [permessageDeflate(), plainExtension('x-foo', 0, [[['a', '1']], []])] });
  assert.is(request.headers['Sec-WebSocket-Extensions'], 'permessage-deflate; client_max_window_bits, x-foo; a=1, x-foo');
  assert.is(request.extensions, 'permessage-deflate; client_max_window_bits, x-foo; a=1, x-foo');
  assert.equal(request.offeredExtensions.map((extension) => extension.name), ['permessage-deflate', 'x-foo']);
  assert.throws(() => buildUpgradeRequest('ws://h/', { extensions: [plainExtension('x-foo', 0, [[['a b', '1']]])] }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { extensions: [plainExtension('x-foo', 0, [[['a', 'x y']]])] }), isTypeError);
  assert.is(buildUpgradeRequest('ws://h/', { extensions: [] }).extensions, undefined);
});

test('origin and extra headers; injection and handshake headers refused', () => {
  const request = buildUpgradeRequest('ws://h/', {
    origin: 'https://app.example',
    headers: { Authorization: 'Bearer x', 'X-Multi': ['1', '2'], host: 'override.example' },
  });
  assert.is(request.headers['Origin'], 'https://app.example');
  assert.is(request.headers['Authorization'], 'Bearer x');
  assert.equal(request.headers['X-Multi'], ['1', '2']);
  assert.is(request.headers['host'], 'override.example');
  assert.is(request.headers['Host'], undefined, 'replaced, not duplicated');
  assert.throws(() => buildUpgradeRequest('ws://h/', { origin: 'x\r\nEvil: 1' }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { headers: { 'X-A': 'a\nb' } }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { headers: { 'sec-websocket-key': 'x' } }), isTypeError);
  assert.throws(() => buildUpgradeRequest('ws://h/', { headers: { Connection: 'close' } }), isTypeError);
});

test('URL credentials: Authorization Basic of the percent-decoded user and password, never in the path', () => {
  // Chromium, answering a 401 Basic challenge for ws://us%40er:p%3Ass@host/, sends this value.
  const request = buildUpgradeRequest('ws://us%40er:p%3Ass@example.com/chat?x=1');
  assert.is(request.headers['Authorization'], 'Basic dXNAZXI6cDpzcw==');
  assert.is(request.path, '/chat?x=1');
  assert.is(request.headers['Host'], 'example.com');
  // Non-ASCII is UTF-8; a stray '%' stays as it is; a user alone still gets the ':'.
  assert.is(buildUpgradeRequest('ws://%C3%A9t%C3%A9:50%25%zz@h/').headers['Authorization'], `Basic ${Buffer.from('été:50%%zz').toString('base64')}`);
  assert.is(buildUpgradeRequest('ws://alice@h/').headers['Authorization'], `Basic ${Buffer.from('alice:').toString('base64')}`);
  assert.is(buildUpgradeRequest('ws://:secret@h/').headers['Authorization'], `Basic ${Buffer.from(':secret').toString('base64')}`);
  assert.is(buildUpgradeRequest('ws://h/').headers['Authorization'], undefined);
  // The caller's own Authorization wins, whatever its case.
  const explicit = buildUpgradeRequest('ws://u:p@h/', { headers: { authorization: 'Bearer token' } });
  assert.is(explicit.headers['authorization'], 'Bearer token');
  assert.is(explicit.headers['Authorization'], undefined, 'replaced, not duplicated');
});

test('our own request passes our server-side validation', () => {
  const request = buildUpgradeRequest('ws://h:1234/x', { protocols: ['a', 'b'], extensions: [permessageDeflate({ serverMaxWindowBits: 10 })] });
  const info = validateUpgradeRequest(asServerSees(request.headers));
  assert.is(info.key, request.key);
  assert.equal(info.protocols, ['a', 'b']);
  assert.equal(info.extensions, parseExtensions(request.extensions!));
});

test.run();
