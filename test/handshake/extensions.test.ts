import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatExtensions, HandshakeError, parseExtensions, type ExtensionOffer } from '../../src/handshake/index.js';

function plain(offers: ExtensionOffer[]): Array<[string, Array<[string, string | true]>]> {
  return offers.map((o) => [o.name, o.params.map(([n, v]) => [n, v] as [string, string | true])]);
}

function rejects(header: string): HandshakeError {
  try {
    parseExtensions(header);
  } catch (error) {
    assert.instance(error, HandshakeError);
    const e = error as HandshakeError;
    assert.is(e.statusCode, 400);
    assert.is(e.code, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS');
    return e;
  }
  assert.unreachable(`expected ${JSON.stringify(header)} to be rejected`);
  throw new Error('unreachable');
}

test('a single extension without parameters', () => {
  assert.equal(plain(parseExtensions('permessage-deflate')), [['permessage-deflate', []]]);
});

test('RFC 6455 §9.1 examples', () => {
  assert.equal(plain(parseExtensions('deflate-stream')), [['deflate-stream', []]]);
  assert.equal(plain(parseExtensions('mux; max-channels=4; flow-control, deflate-stream')), [
    ['mux', [['max-channels', '4'], ['flow-control', true]]],
    ['deflate-stream', []],
  ]);
  assert.equal(plain(parseExtensions('private-extension')), [['private-extension', []]]);
});

test('two header lines joined with ", " equal one combined line (§9.1)', () => {
  const joined = ['foo', 'bar; baz=2'].join(', ');
  assert.equal(plain(parseExtensions(joined)), plain(parseExtensions('foo, bar; baz=2')));
  assert.equal(plain(parseExtensions(joined)), [['foo', []], ['bar', [['baz', '2']]]]);
});

test('several offers keep their order, also with the same name (RFC 7692 §5)', () => {
  const offers = parseExtensions(
    'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits',
  );
  assert.equal(plain(offers), [
    ['permessage-deflate', [['client_max_window_bits', true], ['server_max_window_bits', '10']]],
    ['permessage-deflate', [['client_max_window_bits', true]]],
  ]);
});

test('parameter order and repeats are preserved', () => {
  assert.equal(plain(parseExtensions('x; b=1; a; b=2')), [['x', [['b', '1'], ['a', true], ['b', '2']]]]);
});

test('quoted values are unquoted and unescaped (RFC 7692 §5.2: x="10")', () => {
  assert.equal(plain(parseExtensions('permessage-foo; x="10"')), [['permessage-foo', [['x', '10']]]]);
  assert.equal(plain(parseExtensions('e; a="\\1\\0"')), [['e', [['a', '10']]]]);
  assert.equal(plain(parseExtensions('e; a="to-ken.x"; b=1')), [['e', [['a', 'to-ken.x'], ['b', '1']]]]);
});

test('optional whitespace around separators is allowed (implied *LWS)', () => {
  assert.equal(plain(parseExtensions(' \tfoo ;  a = 1 ;b\t=\t"2" ,bar ')), [
    ['foo', [['a', '1'], ['b', '2']]],
    ['bar', []],
  ]);
});

test('empty list elements are skipped (RFC 2616 #rule)', () => {
  assert.equal(plain(parseExtensions('foo, , bar,')), [['foo', []], ['bar', []]]);
  assert.equal(plain(parseExtensions(',foo')), [['foo', []]]);
});

test('malformed inputs are rejected', () => {
  const bad = [
    '', // 1#extension: at least one
    ' , ',
    ';', // no name
    'foo;', // parameter name missing
    'foo;;a',
    'foo; =1',
    'foo; a=', // value missing
    'foo; a= ,bar',
    'foo bar', // two tokens
    'foo; a=1 2',
    'foo; a b',
    'fo@o',
    'foo; a@=1',
    'foo; a=b@c',
    'foo; a="unterminated',
    'foo; a="x\\',
    'foo; a=""', // unquoted value is not a token
    'foo; a="x y"', // space is not a token character
    'foo; a="x,y"',
    'foo; a="x;y"',
    'foo; a="10"x',
    'foo = 1',
    '"foo"',
    'foo\r\n; a',
    'föo',
  ];
  for (const header of bad) {
    const error = rejects(header);
    assert.match(error.message, /Sec-WebSocket-Extensions/);
  }
});

test('formatExtensions writes the canonical form and round-trips', () => {
  const header = formatExtensions([
    { name: 'permessage-deflate', params: [['client_max_window_bits', true], ['server_max_window_bits', 10]] },
    { name: 'x-foo' },
    { name: 'y', params: new Map<string, string | true>([['a', '1'], ['b', true]]) },
    { name: 'z', params: { c: 'd' } },
  ]);
  assert.is(header, 'permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo, y; a=1; b, z; c=d');
  assert.equal(plain(parseExtensions(header)), [
    ['permessage-deflate', [['client_max_window_bits', true], ['server_max_window_bits', '10']]],
    ['x-foo', []],
    ['y', [['a', '1'], ['b', true]]],
    ['z', [['c', 'd']]],
  ]);
});

test('formatExtensions refuses non-token names and values (no header injection)', () => {
  assert.throws(() => formatExtensions([{ name: 'a b' }]), (e: unknown) => e instanceof TypeError);
  assert.throws(() => formatExtensions([{ name: 'a', params: [['x\r\ny', true]] }]), (e: unknown) => e instanceof TypeError);
  assert.throws(() => formatExtensions([{ name: 'a', params: [['x', 'v\r\nInjected: 1']] }]), (e: unknown) => e instanceof TypeError);
  assert.throws(() => formatExtensions([{ name: 'a', params: [['x', '']] }]), (e: unknown) => e instanceof TypeError);
  assert.throws(() => formatExtensions([{ name: 'a', params: [['x', 1.5]] }]), (e: unknown) => e instanceof TypeError);
});

test.run();
