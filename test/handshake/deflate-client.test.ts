import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildDeflateOffer,
  formatExtensions,
  HandshakeError,
  parseExtensions,
  validateDeflateResponse,
  type NegotiatedDeflate,
  type PerMessageDeflateOptions,
} from '../../src/handshake/index.js';

function offer(options?: PerMessageDeflateOptions): string {
  return formatExtensions([buildDeflateOffer(options)]);
}

/** Validates response header `response` against the offer header `offered`. */
function check(response: string, offered: string, options?: PerMessageDeflateOptions): NegotiatedDeflate {
  return validateDeflateResponse(parseExtensions(response)[0]!, parseExtensions(offered), options);
}

function fails(response: string, offered: string, pattern?: RegExp): void {
  try {
    check(response, offered);
    assert.unreachable(`accepted ${response} for ${offered}`);
  } catch (error) {
    assert.instance(error, HandshakeError, `${response} for ${offered}`);
    assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS');
    if (pattern) assert.match((error as Error).message, pattern);
  }
}

test('the default offer is what browsers send', () => {
  assert.is(offer(), 'permessage-deflate; client_max_window_bits');
  assert.is(offer({ clientMaxWindowBits: false }), 'permessage-deflate');
  assert.is(offer({ clientMaxWindowBits: 10 }), 'permessage-deflate; client_max_window_bits=10');
  assert.is(
    offer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8 }),
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits',
  );
});

test('client options never promise to compress with 8 bits', () => {
  assert.throws(() => buildDeflateOffer({ clientMaxWindowBits: 8 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => buildDeflateOffer({ serverMaxWindowBits: 7 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => buildDeflateOffer({ memLevel: 0 }), (e: unknown) => e instanceof RangeError);
});

test('a plain acceptance gives the defaults', () => {
  assert.equal(check('permessage-deflate', offer()), {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  });
});

test('response parameters map onto both directions', () => {
  assert.equal(
    check(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11',
      offer(),
      { threshold: 64 },
    ),
    {
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 11,
      threshold: 64,
    },
  );
});

test('server_max_window_bits: may be added by the server, must honour what we asked', () => {
  assert.is(check('permessage-deflate; server_max_window_bits=8', offer()).serverMaxWindowBits, 8); // we inflate: fine
  assert.is(check('permessage-deflate; server_max_window_bits=9', offer({ serverMaxWindowBits: 10 })).serverMaxWindowBits, 9);
  fails('permessage-deflate; server_max_window_bits=11', offer({ serverMaxWindowBits: 10 }), /larger/);
  fails('permessage-deflate', offer({ serverMaxWindowBits: 10 }), /not acknowledged/);
});

test('server_no_context_takeover must be acknowledged when asked for', () => {
  fails('permessage-deflate', offer({ serverNoContextTakeover: true }), /server_no_context_takeover/);
  assert.is(check('permessage-deflate; server_no_context_takeover', offer()).serverNoContextTakeover, true);
});

test('client_max_window_bits only if offered', () => {
  fails('permessage-deflate; client_max_window_bits=10', offer({ clientMaxWindowBits: false }), /not offered/);
  assert.is(check('permessage-deflate; client_max_window_bits=10', offer()).clientMaxWindowBits, 10);
});

test('our own hints stay in force when the server does not repeat them', () => {
  const negotiated = check('permessage-deflate', offer({ clientMaxWindowBits: 12, clientNoContextTakeover: true }));
  assert.is(negotiated.clientMaxWindowBits, 12);
  assert.is(negotiated.clientNoContextTakeover, true);
  assert.is(check('permessage-deflate; client_max_window_bits=14', offer({ clientMaxWindowBits: 12 })).clientMaxWindowBits, 12);
});

test('a response asking us to compress with an 8-bit window fails the handshake', () => {
  fails('permessage-deflate; client_max_window_bits=8', offer(), /8-bit window/);
});

test('invalid response parameters fail', () => {
  const bad = [
    'permessage-deflate; foo',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10',
    'permessage-deflate; client_no_context_takeover=1',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=010',
    'permessage-deflate; client_max_window_bits', // a value is required in a response
    'permessage-deflate; client_max_window_bits=16',
  ];
  for (const response of bad) fails(response, offer());
});

test('with several offers, the response must fit one of them', () => {
  const offered = 'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits';
  assert.is(check('permessage-deflate; server_max_window_bits=10', offered).serverMaxWindowBits, 10); // RFC 7692 §7.1.3
  assert.is(check('permessage-deflate', offered).serverMaxWindowBits, 15);
  fails('permessage-deflate; client_max_window_bits=10', 'permessage-deflate, permessage-deflate; server_no_context_takeover');
});

test('a response to nothing offered fails', () => {
  try {
    check('permessage-deflate', 'x-foo');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, HandshakeError);
    assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED');
  }
});

test.run();
