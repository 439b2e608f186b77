import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acceptDeflateOffer, parseExtensions, type PerMessageDeflateOptions } from '../../src/handshake/index.js';

/** Server answer to a Sec-WebSocket-Extensions header: the response header, or null. */
function answer(header: string, options?: PerMessageDeflateOptions): string | null {
  return acceptDeflateOffer(parseExtensions(header), options)?.header ?? null;
}

test('plain offer → plain acceptance with default parameters', () => {
  const accepted = acceptDeflateOffer(parseExtensions('permessage-deflate'));
  assert.ok(accepted);
  assert.is(accepted.header, 'permessage-deflate');
  assert.equal(accepted.negotiated, {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  });
  assert.is(accepted.offerIndex, 0);
});

test('no permessage-deflate offer → null; other extensions are ignored', () => {
  assert.is(acceptDeflateOffer([]), null);
  assert.is(answer('x-webkit-deflate-frame'), null);
  const accepted = acceptDeflateOffer(parseExtensions('x-foo, permessage-deflate'));
  assert.is(accepted?.offerIndex, 1);
});

test('server_no_context_takeover: requested → acknowledged; option → always sent', () => {
  assert.is(answer('permessage-deflate; server_no_context_takeover'), 'permessage-deflate; server_no_context_takeover');
  const accepted = acceptDeflateOffer(parseExtensions('permessage-deflate'), { serverNoContextTakeover: true });
  assert.is(accepted?.header, 'permessage-deflate; server_no_context_takeover');
  assert.is(accepted?.negotiated.serverNoContextTakeover, true);
});

test('client_no_context_takeover: hint echoed by default, imposed by true, dropped by false', () => {
  assert.is(answer('permessage-deflate; client_no_context_takeover'), 'permessage-deflate; client_no_context_takeover');
  assert.is(
    answer('permessage-deflate', { clientNoContextTakeover: true }),
    'permessage-deflate; client_no_context_takeover',
  );
  const accepted = acceptDeflateOffer(parseExtensions('permessage-deflate; client_no_context_takeover'), {
    clientNoContextTakeover: false,
  });
  assert.is(accepted?.header, 'permessage-deflate');
  assert.is(accepted?.negotiated.clientNoContextTakeover, false);
});

test('server_max_window_bits: honoured with the same or a smaller value', () => {
  const accepted = acceptDeflateOffer(parseExtensions('permessage-deflate; server_max_window_bits=10'));
  assert.is(accepted?.header, 'permessage-deflate; server_max_window_bits=10');
  assert.is(accepted?.negotiated.serverMaxWindowBits, 10);
  assert.is(
    answer('permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 11 }),
    'permessage-deflate; server_max_window_bits=11',
  );
  assert.is(
    answer('permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 11 }),
    'permessage-deflate; server_max_window_bits=10',
  );
  // Not offered: the server may still announce its own smaller window (RFC 7692 §7.1.2.1).
  assert.is(answer('permessage-deflate', { serverMaxWindowBits: 12 }), 'permessage-deflate; server_max_window_bits=12');
  assert.is(answer('permessage-deflate', { serverMaxWindowBits: 15 }), 'permessage-deflate');
});

test('server_max_window_bits=8 is declined (zlib cannot compress with 8): the next offer wins', () => {
  assert.is(answer('permessage-deflate; server_max_window_bits=8'), null);
  const accepted = acceptDeflateOffer(
    parseExtensions('permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9'),
  );
  assert.is(accepted?.offerIndex, 1);
  assert.is(accepted?.header, 'permessage-deflate; server_max_window_bits=9');
  assert.is(accepted?.negotiated.serverMaxWindowBits, 9);
});

test('server options never allow compressing with 8 bits', () => {
  assert.throws(() => acceptDeflateOffer([], { serverMaxWindowBits: 8 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => acceptDeflateOffer([], { serverMaxWindowBits: 16 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => acceptDeflateOffer([], { clientMaxWindowBits: 7 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => acceptDeflateOffer([], { level: 10 }), (e: unknown) => e instanceof RangeError);
});

test('client_max_window_bits without a value: the server may set one only if offered', () => {
  assert.is(answer('permessage-deflate; client_max_window_bits'), 'permessage-deflate');
  const limited = acceptDeflateOffer(parseExtensions('permessage-deflate; client_max_window_bits'), {
    clientMaxWindowBits: 10,
  });
  assert.is(limited?.header, 'permessage-deflate; client_max_window_bits=10');
  assert.is(limited?.negotiated.clientMaxWindowBits, 10);
  // Not offered: a server that must limit the client declines; otherwise it never sends it.
  assert.is(answer('permessage-deflate', { clientMaxWindowBits: 10 }), null);
  assert.is(answer('permessage-deflate', { clientMaxWindowBits: 15 }), 'permessage-deflate');
  assert.is(answer('permessage-deflate'), 'permessage-deflate');
});

test('client_max_window_bits with a value: echoed (hint), or the smaller of both', () => {
  assert.is(answer('permessage-deflate; client_max_window_bits=12'), 'permessage-deflate; client_max_window_bits=12');
  assert.is(
    answer('permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }),
    'permessage-deflate; client_max_window_bits=10',
  );
  assert.is(
    answer('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }),
    'permessage-deflate; client_max_window_bits=9',
  );
  assert.is(answer('permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: false }), 'permessage-deflate');
});

test('client_max_window_bits=8 is fine: the server only inflates that direction', () => {
  const accepted = acceptDeflateOffer(parseExtensions('permessage-deflate; client_max_window_bits=8'));
  assert.is(accepted?.header, 'permessage-deflate; client_max_window_bits=8');
  assert.is(accepted?.negotiated.clientMaxWindowBits, 8);
  assert.is(accepted?.negotiated.serverMaxWindowBits, 15);
});

test('invalid offers are declined, and the first acceptable one wins', () => {
  const invalid = [
    'permessage-deflate; foo', // unknown parameter
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover', // duplicate
    'permessage-deflate; client_max_window_bits; client_max_window_bits=10', // duplicate
    'permessage-deflate; server_no_context_takeover=1', // value where none allowed
    'permessage-deflate; client_no_context_takeover="x"',
    'permessage-deflate; server_max_window_bits', // value required
    'permessage-deflate; server_max_window_bits=7', // out of range
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=010', // leading zero
    'permessage-deflate; server_max_window_bits=abc',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; client_max_window_bits=09',
  ];
  for (const offer of invalid) {
    assert.is(answer(offer), null, offer);
    const accepted = acceptDeflateOffer(parseExtensions(`${offer}, permessage-deflate; server_no_context_takeover`));
    assert.is(accepted?.offerIndex, 1, offer);
    assert.is(accepted?.header, 'permessage-deflate; server_no_context_takeover', offer);
  }
});

test('quoted window bits are valid values (RFC 7692 §5.2 allows quoting)', () => {
  assert.is(answer('permessage-deflate; server_max_window_bits="10"'), 'permessage-deflate; server_max_window_bits=10');
});

test('the first acceptable offer wins even if a later one looks better', () => {
  const accepted = acceptDeflateOffer(
    parseExtensions(
      'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits',
    ),
  );
  assert.is(accepted?.offerIndex, 0);
  assert.is(accepted?.header, 'permessage-deflate; server_max_window_bits=10'); // RFC 7692 §7.1.3 example
});

test('all parameters together, and the pass-through fields', () => {
  const accepted = acceptDeflateOffer(
    parseExtensions(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=13',
    ),
    { clientMaxWindowBits: 12, threshold: 1024, level: 6, memLevel: 8 },
  );
  assert.is(
    accepted?.header,
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12',
  );
  assert.equal(accepted?.negotiated, {
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 11,
    clientMaxWindowBits: 12,
    threshold: 1024,
    level: 6,
    memLevel: 8,
  });
});

test.run();
