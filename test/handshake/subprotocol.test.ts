import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandshakeError, parseProtocols, selectProtocol } from '../../src/handshake/index.js';

test('parseProtocols: token list in order, whitespace and empty elements ignored', () => {
  assert.equal(parseProtocols('chat, superchat'), ['chat', 'superchat']);
  assert.equal(parseProtocols(' v2.bookings.example.net ,\tv1.bookings.example.net'), [
    'v2.bookings.example.net',
    'v1.bookings.example.net',
  ]);
  assert.equal(parseProtocols('a,,b'), ['a', 'b']);
});

test('parseProtocols: non-tokens, repeats and empty lists are 400', () => {
  for (const header of ['', ' , ', 'a b', 'chat, ch@t', 'a;b', '"a"', 'a, a', 'x/y', 'é']) {
    try {
      parseProtocols(header);
      assert.unreachable(`accepted ${JSON.stringify(header)}`);
    } catch (error) {
      assert.instance(error, HandshakeError, header);
      assert.is((error as HandshakeError).statusCode, 400);
      assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_BAD_PROTOCOL');
    }
  }
});

test('selectProtocol without a chooser takes the client’s first choice', () => {
  assert.is(selectProtocol(['b', 'a']), 'b');
  assert.is(selectProtocol([]), undefined);
});

test('selectProtocol with a supported list keeps the client’s preference order', () => {
  assert.is(selectProtocol(['x', 'b', 'a'], ['a', 'b']), 'b');
  assert.is(selectProtocol(['x', 'y'], ['a', 'b']), undefined);
  assert.is(selectProtocol([], ['a']), undefined);
});

test('selectProtocol with a callback gets a set and the request', () => {
  const req = { url: '/chat' };
  let seen: { offered: string[]; req: unknown } | undefined;
  const chosen = selectProtocol(
    ['a', 'b'],
    (offered, r) => {
      seen = { offered: [...offered], req: r };
      return 'b';
    },
    req,
  );
  assert.is(chosen, 'b');
  assert.equal(seen, { offered: ['a', 'b'], req });
});

test('selectProtocol: false / undefined / "" from the callback mean none; not called when nothing offered', () => {
  assert.is(selectProtocol(['a'], () => false), undefined);
  assert.is(selectProtocol(['a'], () => undefined), undefined);
  assert.is(selectProtocol(['a'], () => ''), undefined);
  let called = false;
  assert.is(
    selectProtocol([], () => {
      called = true;
      return 'a';
    }),
    undefined,
  );
  assert.not.ok(called);
});

test('selectProtocol never returns a protocol the client did not offer', () => {
  try {
    selectProtocol(['a', 'b'], () => 'c');
    assert.unreachable('returned an unoffered protocol');
  } catch (error) {
    assert.instance(error, HandshakeError);
    assert.is((error as HandshakeError).statusCode, 500);
    assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_PROTOCOL_NOT_OFFERED');
  }
  // Case matters: subprotocol names are compared exactly.
  assert.throws(() => selectProtocol(['chat'], () => 'Chat'), (e: unknown) => e instanceof HandshakeError);
});

test.run();
