import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandshakeError, RequestHeadParser, type RequestHeadLimits, type RequestHeadResult } from '../../src/handshake/index.js';

const REQUEST =
  'GET /chat?x=1 HTTP/1.1\r\n' +
  'Host: server.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Origin: http://example.com\r\n' +
  'Sec-WebSocket-Protocol: chat, superchat\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

function parseWhole(text: string | Buffer, limits?: RequestHeadLimits): Extract<RequestHeadResult, { done: true }> {
  const result = new RequestHeadParser(limits).feed(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  assert.ok(result.done, 'expected a complete head');
  return result as Extract<RequestHeadResult, { done: true }>;
}

function failure(text: string | Buffer, limits?: RequestHeadLimits): HandshakeError {
  try {
    parseWhole(text, limits);
  } catch (error) {
    assert.instance(error, HandshakeError);
    return error as HandshakeError;
  }
  assert.unreachable('accepted');
  throw new Error('unreachable');
}

test('the RFC 6455 §1.2 request', () => {
  const { request, head } = parseWhole(REQUEST);
  assert.is(request.method, 'GET');
  assert.is(request.url, '/chat?x=1');
  assert.is(request.httpVersion, '1.1');
  assert.is(request.httpVersionMajor, 1);
  assert.is(request.httpVersionMinor, 1);
  assert.equal({ ...request.headers }, {
    host: 'server.example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    origin: 'http://example.com',
    'sec-websocket-protocol': 'chat, superchat',
    'sec-websocket-version': '13',
  });
  assert.is(request.rawHeaders[0], 'Host');
  assert.is(request.rawHeaders.length, 14);
  assert.is(head.length, 0);
});

test('split into 1-byte chunks, the result is identical', () => {
  const bytes = Buffer.from(REQUEST + 'FRAME', 'latin1');
  const parser = new RequestHeadParser();
  let result: RequestHeadResult = { done: false };
  let i = 0;
  for (; i < bytes.length && !result.done; i++) result = parser.feed(bytes.subarray(i, i + 1));
  assert.ok(result.done);
  assert.is(i, REQUEST.length, 'done exactly at the blank line');
  const whole = parseWhole(bytes);
  const split = result as Extract<RequestHeadResult, { done: true }>;
  assert.equal({ ...split.request, headers: { ...split.request.headers } }, { ...whole.request, headers: { ...whole.request.headers } });
  assert.is(whole.head.toString(), 'FRAME');
  assert.is(split.head.length, 0);
});

test('every split point gives the same result', () => {
  const bytes = Buffer.from(REQUEST + 'xyz', 'latin1');
  const expected = parseWhole(bytes);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const parser = new RequestHeadParser();
    let result = parser.feed(bytes.subarray(0, cut));
    let head: Buffer = Buffer.alloc(0);
    if (result.done) head = Buffer.concat([result.head, bytes.subarray(cut)]);
    else {
      result = parser.feed(bytes.subarray(cut));
      assert.ok(result.done, `cut ${cut}`);
      head = result.head;
    }
    assert.ok(result.done);
    assert.equal({ ...result.request.headers }, { ...expected.request.headers }, `cut ${cut}`);
    assert.is(head.toString(), 'xyz', `cut ${cut}`);
  }
});

test('bytes after the blank line are returned as head (pipelined first frame)', () => {
  const frame = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x49, 0x67, 0x6f, 0x68, 0x6e]);
  const { head } = parseWhole(Buffer.concat([Buffer.from(REQUEST), frame]));
  assert.equal([...head], [...frame]);
});

test('header values are trimmed; repeats joined like Node', () => {
  const { request } = parseWhole(
    'GET / HTTP/1.1\r\n' +
      'Host: h\r\n' +
      'X-List:  a \t\r\n' +
      'x-list: b\r\n' +
      'Sec-WebSocket-Extensions: foo\r\n' +
      'Sec-WebSocket-Extensions: bar; baz=2\r\n' +
      'Cookie: a=1\r\n' +
      'Cookie: b=2\r\n' +
      'Set-Cookie: s=1\r\n' +
      'Set-Cookie: s=2\r\n' +
      'User-Agent: first\r\n' +
      'User-Agent: second\r\n' +
      'Empty:\r\n' +
      '\r\n',
  );
  assert.is(request.headers['x-list'], 'a, b');
  assert.is(request.headers['sec-websocket-extensions'], 'foo, bar; baz=2');
  assert.is(request.headers['cookie'], 'a=1; b=2');
  assert.equal(request.headers['set-cookie'], ['s=1', 's=2']);
  assert.is(request.headers['user-agent'], 'first');
  assert.is(request.headers['empty'], '');
});

test('a header named __proto__ is just a header', () => {
  const { request } = parseWhole('GET / HTTP/1.1\r\nHost: h\r\n__proto__: x\r\n\r\n');
  assert.is(request.headers['__proto__'], 'x');
  assert.is(Object.getPrototypeOf(request.headers), null);
});

test('empty lines before the request line are skipped', () => {
  assert.is(parseWhole('\r\n\r\n' + REQUEST).request.url, '/chat?x=1');
});

test('malformed request lines → 400', () => {
  const lines = [
    'GET /chat HTTP/1.1 extra',
    'GET  /chat HTTP/1.1',
    'GET /chat  HTTP/1.1',
    'GET /chat',
    'GET /chat HTTP/1',
    'GET /chat HTTP/11.1',
    'GET /chat http/1.1',
    'GET /ch at HTTP/1.1',
    'G(T /chat HTTP/1.1',
    ' GET /chat HTTP/1.1',
    'GET /chat\x7f HTTP/1.1',
  ];
  for (const line of lines) {
    const error = failure(`${line}\r\nHost: h\r\n\r\n`);
    assert.is(error.statusCode, 400, line);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_MALFORMED_REQUEST');
  }
});

test('malformed header lines → 400 (no obs-fold, no space before colon, no bare LF or CR)', () => {
  const cases = [
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n  folded\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n\tX-A: a\r\n\r\n',
    'GET / HTTP/1.1\r\nHost : h\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n: empty-name\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nBad(Name): x\r\n\r\n',
    'GET / HTTP/1.1\nHost: h\n\n',
    'GET / HTTP/1.1\r\nHost: h\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7fb\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
  ];
  for (const text of cases) {
    const error = failure(text);
    assert.is(error.statusCode, 400, JSON.stringify(text));
    assert.is(error.code, 'WS_ERR_HANDSHAKE_MALFORMED_REQUEST');
  }
});

test('64 KiB of headers → 431, detected before the end', () => {
  const parser = new RequestHeadParser();
  parser.feed(Buffer.from('GET / HTTP/1.1\r\nHost: h\r\n'));
  const line = Buffer.from(`X-Filler: ${'a'.repeat(1000)}\r\n`);
  let error: unknown;
  let fed = 0;
  try {
    while (fed < 64 * 1024) {
      parser.feed(line);
      fed += line.length;
    }
  } catch (e) {
    error = e;
  }
  assert.instance(error, HandshakeError);
  assert.is((error as HandshakeError).statusCode, 431);
  assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_HEADERS_TOO_LARGE');
  assert.ok(fed <= 16 * 1024, `stopped after ${fed} bytes`);
  assert.throws(() => parser.feed(Buffer.from('\r\n')), (e: unknown) => e instanceof Error);
});

test('one huge header line without LF → 431 as soon as the limit is passed', () => {
  const error = failure(`GET / HTTP/1.1\r\nX: ${'a'.repeat(64 * 1024)}`);
  assert.is(error.statusCode, 431);
});

test('the byte limit counts the whole head, blank line included', () => {
  const text = 'GET / HTTP/1.1\r\nHost: h\r\n\r\n';
  assert.ok(parseWhole(text, { maxHeaderBytes: text.length }));
  assert.is(failure(text, { maxHeaderBytes: text.length - 1 }).statusCode, 431);
});

test('more than maxHeaderCount headers → 431', () => {
  const headers = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join('');
  assert.ok(parseWhole(`GET / HTTP/1.1\r\n${headers(100)}\r\n`));
  const error = failure(`GET / HTTP/1.1\r\n${headers(101)}\r\n`);
  assert.is(error.statusCode, 431);
  assert.is(error.code, 'WS_ERR_HANDSHAKE_TOO_MANY_HEADERS');
  assert.is(failure(`GET / HTTP/1.1\r\n${headers(3)}\r\n`, { maxHeaderCount: 2 }).statusCode, 431);
});

test('a finished parser refuses more input', () => {
  const parser = new RequestHeadParser();
  assert.ok(parser.feed(Buffer.from(REQUEST)).done);
  assert.throws(() => parser.feed(Buffer.from('x')), (e: unknown) => e instanceof Error);
});

test.run();
