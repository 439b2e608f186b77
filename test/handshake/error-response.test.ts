import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildErrorResponse } from '../../src/handshake/index.js';

test('a 400 with Connection: close and a text body', () => {
  assert.is(
    buildErrorResponse(400, 'Missing Sec-WebSocket-Key'),
    'HTTP/1.1 400 Bad Request\r\n' +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      'Content-Length: 25\r\n' +
      '\r\n' +
      'Missing Sec-WebSocket-Key',
  );
});

test('426 carries Sec-WebSocket-Version', () => {
  const response = buildErrorResponse(426, 'Unsupported version', { 'Sec-WebSocket-Version': '13' });
  assert.ok(response.startsWith('HTTP/1.1 426 Upgrade Required\r\n'));
  assert.match(response, '\r\nSec-WebSocket-Version: 13\r\n\r\nUnsupported version');
});

test('Content-Length counts UTF-8 bytes', () => {
  const response = buildErrorResponse(431, 'trop grand: é');
  assert.match(response, 'HTTP/1.1 431 Request Header Fields Too Large\r\n');
  assert.match(response, `Content-Length: ${Buffer.byteLength('trop grand: é')}\r\n`);
});

test('bad status and header injection are refused', () => {
  assert.throws(() => buildErrorResponse(200, 'ok'), (e: unknown) => e instanceof RangeError);
  assert.throws(() => buildErrorResponse(101, 'x'), (e: unknown) => e instanceof RangeError);
  assert.throws(() => buildErrorResponse(400.5, 'x'), (e: unknown) => e instanceof RangeError);
  assert.throws(() => buildErrorResponse(400, 'x', { 'X-A': 'a\r\nb: c' }), (e: unknown) => e instanceof TypeError);
  assert.throws(() => buildErrorResponse(400, 'x', { 'Content-Length': '0' }), (e: unknown) => e instanceof TypeError);
});

test('an unknown status still gets a reason phrase', () => {
  assert.ok(buildErrorResponse(599, 'x').startsWith('HTTP/1.1 599 Error\r\n'));
});

test.run();
