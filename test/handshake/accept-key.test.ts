import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acceptKey, generateKey, isValidKey, WEBSOCKET_GUID } from '../../src/handshake/index.js';

test('RFC 6455 §1.3 example key gives the example accept value', () => {
  assert.is(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('the accept value hashes the key text with the GUID, not the decoded key', () => {
  const key = generateKey();
  const expected = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  assert.is(acceptKey(key), expected);
  assert.is.not(acceptKey(key), acceptKey(generateKey()));
});

test('generateKey makes fresh 16-byte base64 keys', () => {
  const keys = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const key = generateKey();
    assert.is(Buffer.from(key, 'base64').length, 16);
    assert.ok(isValidKey(key), key);
    keys.add(key);
  }
  assert.is(keys.size, 50);
});

test('isValidKey: exactly 16 bytes, strict base64', () => {
  assert.ok(isValidKey('dGhlIHNhbXBsZSBub25jZQ=='));
  assert.ok(isValidKey(Buffer.alloc(16, 0xff).toString('base64')));
  assert.not.ok(isValidKey(''), 'empty');
  assert.not.ok(isValidKey(Buffer.alloc(15).toString('base64')), '15 bytes');
  assert.not.ok(isValidKey(Buffer.alloc(17).toString('base64')), '17 bytes');
  assert.not.ok(isValidKey('dGhlIHNhbXBsZSBub25jZQ'), 'no padding');
  assert.not.ok(isValidKey('dGhlIHNhbXBsZSBub25jZQ='), 'short padding');
  assert.not.ok(isValidKey(' dGhlIHNhbXBsZSBub25jZQ=='), 'leading space');
  assert.not.ok(isValidKey('dGhlIHNhbXBsZSBub25jZQ==\r\n'), 'trailing CRLF');
  assert.not.ok(isValidKey('dGhlIHNhbXBsZSBub25jZ-=='), 'base64url character');
  assert.not.ok(isValidKey('dGhlIHNhbXBsZSBub25jZR=='), 'non-canonical trailing bits');
});

test.run();
