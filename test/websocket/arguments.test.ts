/**
 * The WebSocket API's argument rules (WHATWG WebSockets, WebIDL), checked with the same
 * script against wspipe's class and Node's client: constructor errors, url serialisation,
 * binaryType, send() while CONNECTING, close() codes and reasons. No server is needed: the
 * sockets point at a closed port and are closed at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { guardLeaks } from '../rx/helpers.js';
import { eventsOf, runNode, runOurs, type ProbeRecord } from './probe.js';

guardLeaks(test);

/** A closed port: connections fail fast; nothing listens. */
const NOWHERE = 'ws://127.0.0.1:1/';

/** Opens a socket that is closed again at once; its events are silenced. */
const HELPERS = `
  const quiet = (ws) => { ws.onerror = () => {}; ws.onclose = () => {}; return ws; };
`;

const CONSTRUCTOR = `${HELPERS}
  for (const [label, make] of [
    ['no arguments', () => new WebSocket()],
    ['relative URL', () => new WebSocket('/chat')],
    ['ftp scheme', () => new WebSocket('ftp://127.0.0.1/')],
    ['fragment', () => new WebSocket(url + '#frag')],
    ['empty fragment', () => new WebSocket(url + '#')],
    ['Symbol URL', () => new WebSocket(Symbol('x'))],
    ['protocols null is "null"', () => new WebSocket(url, null)],
    ['protocols 5 is "5"', () => new WebSocket(url, 5)],
    ['protocols {} is "[object Object]"', () => new WebSocket(url, {})],
    ['protocols iterable', () => new WebSocket(url, new Set(['a', 'b']))],
    ['protocols empty string', () => new WebSocket(url, '')],
    ['protocols repeated', () => new WebSocket(url, ['a', 'a'])],
    ['protocols with a space', () => new WebSocket(url, 'a b')],
    ['protocols with a Symbol', () => new WebSocket(url, [Symbol('x')])],
  ]) {
    let made;
    attempt(label, () => { made = make(); });
    if (made) { quiet(made); made.close(); }
  }
  for (const input of [
    'http://127.0.0.1:1/a b?c=d e',
    'HTTPS://User:P%40ss@LOCALHOST:443/x/../y',
    'ws://127.0.0.1:80',
    'wss://[::1]:443/',
    'ws://ÉX.example/ü',
  ]) {
    const ws = quiet(new WebSocket(input));
    log({ event: 'url', input, url: ws.url });
    ws.close();
  }
`;

test('constructor: TypeError without a URL or for a Symbol, SyntaxError for bad URLs and protocols; url serialised', async () => {
  const standard = [
    ['no arguments', 'TypeError/TypeError'],
    ['relative URL', 'DOMException/SyntaxError'], // no base URL in Node
    ['ftp scheme', 'DOMException/SyntaxError'],
    ['fragment', 'DOMException/SyntaxError'],
    ['empty fragment', 'DOMException/SyntaxError'],
    ['Symbol URL', 'TypeError/TypeError'],
    ['protocols null is "null"', 'ok'],
    ['protocols 5 is "5"', 'ok'],
    ['protocols {} is "[object Object]"', 'DOMException/SyntaxError'], // not a token
    ['protocols iterable', 'ok'],
    ['protocols empty string', 'DOMException/SyntaxError'],
    ['protocols repeated', 'DOMException/SyntaxError'],
    ['protocols with a space', 'DOMException/SyntaxError'],
    ['protocols with a Symbol', 'TypeError/TypeError'],
  ].map(([label, outcome]) => ({ event: 'call', label, outcome }));
  const urls = [
    ['http://127.0.0.1:1/a b?c=d e', 'ws://127.0.0.1:1/a%20b?c=d%20e'],
    ['HTTPS://User:P%40ss@LOCALHOST:443/x/../y', 'wss://User:P%40ss@localhost/y'],
    ['ws://127.0.0.1:80', 'ws://127.0.0.1/'],
    ['wss://[::1]:443/', 'wss://[::1]/'],
    ['ws://ÉX.example/ü', 'ws://xn--x-9fa.example/%C3%BC'],
  ].map(([input, url]) => ({ event: 'url', input, url }));
  const ours = await runOurs(NOWHERE, { script: CONSTRUCTOR });
  const node = await runNode(NOWHERE, { script: CONSTRUCTOR });
  assert.equal(ours, [...standard, ...urls]);
  // Node's client takes a dictionary as second argument (undici's WebSocketInit), so {} is no
  // protocol there rather than "[object Object]"; everything else agrees.
  const exceptObject = (records: ProbeRecord[]) => records.filter((record) => record.label !== 'protocols {} is "[object Object]"');
  assert.equal(exceptObject(node), exceptObject([...standard, ...urls]));
});

const SEND_AND_CLOSE = `${HELPERS}
  const ws = quiet(new WebSocket(url));
  attempt('send() with no argument', () => ws.send());
  attempt('send while CONNECTING', () => ws.send('x'));
  for (const [label, args] of [
    ['999', [999]], ['1001', [1001]], ['2999', [2999]], ['5000', [5000]], ['NaN is 0', [NaN]], ['-1 clamps to 0', [-1]],
    ['Infinity clamps to 65535', [Infinity]], ['4999.5 rounds to 5000', [4999.5]],
    ['Symbol code', [Symbol()]], ['999 with a Symbol reason (reason converted first)', [999, Symbol()]],
    ['124-byte reason', [1000, 'x'.repeat(124)]],
    ['41 lone surrogates (123 bytes as U+FFFD)', [1000, '\\uD800'.repeat(41)]],
  ]) {
    attempt('close ' + label, () => ws.close.apply(ws, args));
  }
  log({ event: 'state', readyState: ws.readyState });
  attempt('close 999 when CLOSING still checks the code', () => ws.close(999));
  attempt('close 2999.5 rounds to 3000 (half to even)', () => quiet(new WebSocket(url)).close(2999.5));
  attempt('close 1000.5 rounds to 1000', () => quiet(new WebSocket(url)).close(1000.5));
  attempt('close with a reason and no code', () => quiet(new WebSocket(url)).close(undefined, 'bye'));
`;

test('send() and close() arguments: conversions and exceptions (WebIDL [Clamp], USVString); checked in every state', async () => {
  const standard = [
    ['send() with no argument', 'TypeError/TypeError'],
    ['send while CONNECTING', 'DOMException/InvalidStateError'],
    ['close 999', 'DOMException/InvalidAccessError'],
    ['close 1001', 'DOMException/InvalidAccessError'],
    ['close 2999', 'DOMException/InvalidAccessError'],
    ['close 5000', 'DOMException/InvalidAccessError'],
    ['close NaN is 0', 'DOMException/InvalidAccessError'],
    ['close -1 clamps to 0', 'DOMException/InvalidAccessError'],
    ['close Infinity clamps to 65535', 'DOMException/InvalidAccessError'],
    ['close 4999.5 rounds to 5000', 'DOMException/InvalidAccessError'],
    ['close Symbol code', 'TypeError/TypeError'],
    ['close 999 with a Symbol reason (reason converted first)', 'TypeError/TypeError'],
    ['close 124-byte reason', 'DOMException/SyntaxError'],
    ['close 41 lone surrogates (123 bytes as U+FFFD)', 'ok'],
  ].map(([label, outcome]) => ({ event: 'call', label, outcome }));
  const after = [
    { event: 'state', readyState: 2 },
    { event: 'call', label: 'close 999 when CLOSING still checks the code', outcome: 'DOMException/InvalidAccessError' },
    { event: 'call', label: 'close 2999.5 rounds to 3000 (half to even)', outcome: 'ok' },
    { event: 'call', label: 'close 1000.5 rounds to 1000', outcome: 'ok' },
    { event: 'call', label: 'close with a reason and no code', outcome: 'ok' },
  ];
  assert.equal(await runOurs(NOWHERE, { script: SEND_AND_CLOSE }), [...standard, ...after]);
  assert.equal(await runNode(NOWHERE, { script: SEND_AND_CLOSE }), [...standard, ...after]);
});

const BINARY_TYPE = `${HELPERS}
  const ws = quiet(new WebSocket(url));
  log({ event: 'binaryType', value: ws.binaryType });
  for (const [label, value] of [
    ['arraybuffer', 'arraybuffer'],
    ['an unknown string is ignored', 'bogus'],
    ['an object is converted to a string', { toString() { return 'blob'; } }],
    ['a Symbol cannot be converted', Symbol('x')],
  ]) {
    attempt(label, () => { ws.binaryType = value; });
    log({ event: 'binaryType', value: ws.binaryType });
  }
  ws.close();
`;

test("binaryType: 'blob' by default; an unknown value is ignored, an object converted, a Symbol a TypeError", async () => {
  const standard = [
    { event: 'binaryType', value: 'blob' },
    { event: 'call', label: 'arraybuffer', outcome: 'ok' },
    { event: 'binaryType', value: 'arraybuffer' },
    { event: 'call', label: 'an unknown string is ignored', outcome: 'ok' },
    { event: 'binaryType', value: 'arraybuffer' },
    { event: 'call', label: 'an object is converted to a string', outcome: 'ok' },
    { event: 'binaryType', value: 'blob' },
    { event: 'call', label: 'a Symbol cannot be converted', outcome: 'TypeError/TypeError' },
    { event: 'binaryType', value: 'blob' },
  ];
  assert.equal(await runOurs(NOWHERE, { script: BINARY_TYPE }), standard);
  // Node's client resets an unknown value to 'blob' instead of ignoring it, and takes a Symbol.
  const node = await runNode(NOWHERE, { script: BINARY_TYPE });
  assert.equal(eventsOf(node, 'binaryType').map((record) => record.value), ['blob', 'arraybuffer', 'blob', 'blob', 'blob']);
});

test.run();
