/**
 * Opening-handshake conformance of the server listening on its own (RFC 6455 §4.2), over
 * raw TCP: each request is written by hand and the response parsed here. Refused requests
 * must get an HTTP 4xx and have the socket closed by the server; a valid one gets 101 with
 * a Sec-WebSocket-Accept that this file computes itself. Ends with the echo CLI run end to
 * end as a child process.
 */
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { runChild } from '../helpers/child-process.js';
import { frame, MASK } from '../helpers/frames.js';
import { expectedAccept, newKey, RawPeer, upgradeRequest, type HttpResponseHead, type RequestSpec } from '../helpers/raw-peer.js';
import { startEcho, type EchoServer } from '../helpers/servers.js';
import { nextEvent } from '../helpers/timeouts.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Started lazily inside tests (a failing uvu `before` hook would go unreported).
let defaultServer: Promise<EchoServer> | undefined;
let quickServer: Promise<EchoServer> | undefined;
const echoServer = (): Promise<EchoServer> => (defaultServer ??= startEcho());
/** handshakeTimeout: 300 ms. */
const quickTimeoutServer = (): Promise<EchoServer> => (quickServer ??= startEcho({ handshakeTimeout: 300 }));

test.after(async () => {
  for (const started of [defaultServer, quickServer]) {
    if (started) await (await started).stop().catch(() => {});
  }
});

interface Answer {
  head: HttpResponseHead;
  body: string;
}

/**
 * Writes `chunks` (one write each), reads the whole HTTP response (head and
 * Content-Length body), and requires the server to close the TCP connection afterwards.
 */
async function sendAndExpectClose(chunks: Array<string | Buffer>, server: Promise<EchoServer> = echoServer()): Promise<Answer> {
  const peer = await RawPeer.connect((await server).port);
  try {
    for (const chunk of chunks) await peer.write(chunk);
    const head = await peer.readResponseHead();
    const length = Number(head.headers['content-length'] ?? 0);
    const body = (await peer.readBytes(length)).toString('utf8');
    await peer.expectServerClose();
    return { head, body };
  } finally {
    peer.destroy();
  }
}

async function rejectedRequest(spec: RequestSpec): Promise<Answer> {
  const { port } = await echoServer();
  return sendAndExpectClose([upgradeRequest(port, spec).text]);
}

function assertStatus(answer: Answer, status: number): void {
  assert.is(answer.head.status, status, `expected ${status}, got ${answer.head.statusLine} (${answer.body})`);
}

// ---- the valid handshake ----

test('the Sec-WebSocket-Accept computed here matches RFC 6455 §1.3', () => {
  assert.is(expectedAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('a valid request (the RFC sample key) → 101 with Upgrade, Connection and the right accept', async () => {
  const { port } = await echoServer();
  const peer = await RawPeer.connect(port);
  try {
    await peer.write(upgradeRequest(port, { key: 'dGhlIHNhbXBsZSBub25jZQ==', path: '/chat?x=1' }).text);
    const head = await peer.readResponseHead();
    assert.is(head.status, 101, head.statusLine);
    assert.is(head.headers['upgrade']?.toLowerCase(), 'websocket');
    assert.ok(/(^|,)\s*upgrade\s*(,|$)/i.test(head.headers['connection'] ?? ''), `Connection: ${head.headers['connection']}`);
    assert.is(head.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.is(head.headers['sec-websocket-protocol'], undefined, 'no subprotocol when none was offered');
    assert.is(head.headers['sec-websocket-extensions'], undefined, 'no extension when none was offered');
    assert.is(peer.unread, 0, 'nothing after the 101 head');
  } finally {
    peer.destroy();
  }
});

test('the request written in 1-byte writes → 101 with the right accept, and the connection works', async () => {
  const { port } = await echoServer();
  const key = newKey();
  const request = Buffer.from(upgradeRequest(port, { key }).text, 'latin1');
  const peer = await RawPeer.connect(port);
  try {
    for (let i = 0; i < request.length; i++) await peer.write(request.subarray(i, i + 1));
    const head = await peer.readResponseHead();
    assert.is(head.status, 101, head.statusLine);
    assert.is(head.headers['sec-websocket-accept'], expectedAccept(key));
    // The first frame also trickles in byte by byte.
    const message = frame({ opcode: 0x1, payload: 'slow but fine', mask: MASK });
    for (let i = 0; i < message.length; i++) await peer.write(message.subarray(i, i + 1));
    const echoed = await peer.readFrame();
    assert.is(echoed.opcode, 0x1);
    assert.is(echoed.payload.toString(), 'slow but fine');
  } finally {
    peer.destroy();
  }
});

test('Upgrade and Connection tokens are case-insensitive, and Connection may be a list → 101', async () => {
  const { port } = await echoServer();
  const variants: Array<Record<string, string>> = [{ Upgrade: 'WebSocket' }, { Connection: 'keep-alive, Upgrade' }, { Connection: 'upgrade' }];
  for (const headers of variants) {
    const peer = await RawPeer.connect(port);
    try {
      const { text, key } = upgradeRequest(port, { headers });
      await peer.write(text);
      const head = await peer.readResponseHead();
      assert.is(head.status, 101, `${JSON.stringify(headers)}: ${head.statusLine}`);
      assert.is(head.headers['sec-websocket-accept'], expectedAccept(key));
    } finally {
      peer.destroy();
    }
  }
});

test('offered subprotocols: the 101 names exactly one of them (the first, by default)', async () => {
  const { port } = await echoServer();
  const peer = await RawPeer.connect(port);
  try {
    await peer.write(upgradeRequest(port, { headers: { 'Sec-WebSocket-Protocol': 'chat.v2, chat.v1' } }).text);
    const head = await peer.readResponseHead();
    assert.is(head.status, 101, head.statusLine);
    assert.is(head.headers['sec-websocket-protocol'], 'chat.v2');
  } finally {
    peer.destroy();
  }
});

// ---- refused requests ----

test('no Sec-WebSocket-Key → 400 and the socket is closed', async () => {
  const answer = await rejectedRequest({ headers: { 'Sec-WebSocket-Key': null } });
  assertStatus(answer, 400);
  assert.is(answer.head.headers['connection']?.toLowerCase(), 'close');
});

test('a Sec-WebSocket-Key of 15 bytes → 400', async () => {
  assertStatus(await rejectedRequest({ key: newKey(15) }), 400);
});

test('a Sec-WebSocket-Key of 17 bytes → 400', async () => {
  assertStatus(await rejectedRequest({ key: newKey(17) }), 400);
});

test('a Sec-WebSocket-Key that is not base64 → 400', async () => {
  assertStatus(await rejectedRequest({ key: '!!!!!!!!!!!!!!!!!!!!!!==' }), 400);
});

test('Sec-WebSocket-Version: 8 → 426 with Sec-WebSocket-Version: 13', async () => {
  const answer = await rejectedRequest({ headers: { 'Sec-WebSocket-Version': '8' } });
  assertStatus(answer, 426);
  assert.is(answer.head.headers['sec-websocket-version'], '13');
});

test('no Sec-WebSocket-Version → 426 with Sec-WebSocket-Version: 13', async () => {
  const answer = await rejectedRequest({ headers: { 'Sec-WebSocket-Version': null } });
  assertStatus(answer, 426);
  assert.is(answer.head.headers['sec-websocket-version'], '13');
});

test('POST → an HTTP 4xx and the socket is closed', async () => {
  const answer = await rejectedRequest({ method: 'POST' });
  assert.ok(answer.head.status >= 400 && answer.head.status < 500, `expected a 4xx, got ${answer.head.statusLine}`);
});

test('no Upgrade header → 400', async () => {
  assertStatus(await rejectedRequest({ headers: { Upgrade: null } }), 400);
});

test('Upgrade: h2c (not websocket) → 400', async () => {
  assertStatus(await rejectedRequest({ headers: { Upgrade: 'h2c' } }), 400);
});

test('no Connection: Upgrade → 400', async () => {
  assertStatus(await rejectedRequest({ headers: { Connection: 'keep-alive' } }), 400);
});

test('no Host → 400', async () => {
  assertStatus(await rejectedRequest({ headers: { Host: null } }), 400);
});

test('HTTP/1.0 → 400', async () => {
  const { port } = await echoServer();
  const text = upgradeRequest(port).text.replace('HTTP/1.1', 'HTTP/1.0');
  assertStatus(await sendAndExpectClose([text]), 400);
});

test('two Sec-WebSocket-Key headers → 400', async () => {
  assertStatus(await rejectedRequest({ extraLines: [`Sec-WebSocket-Key: ${newKey()}`] }), 400);
});

test('a malformed Sec-WebSocket-Protocol (not a token list) → 400', async () => {
  assertStatus(await rejectedRequest({ headers: { 'Sec-WebSocket-Protocol': 'a b' } }), 400);
});

test('a lowercase method (`get`: methods are case-sensitive) → 400', async () => {
  assertStatus(await rejectedRequest({ method: 'get' }), 400);
});

test('a request line that is not HTTP → 400', async () => {
  assertStatus(await sendAndExpectClose(['HELLO\r\n\r\n']), 400);
});

test('64 KiB of headers → 431 and the socket is closed', async () => {
  const { port } = await echoServer();
  const filler = Array.from({ length: 16 }, (_, i) => `X-Filler-${i}: ${'a'.repeat(4096)}`);
  const text = upgradeRequest(port, { extraLines: filler }).text;
  assert.ok(text.length > 64 * 1024, `request of ${text.length} bytes`);
  assertStatus(await sendAndExpectClose([text]), 431);
});

test('more than 100 header lines → 431', async () => {
  const { port } = await echoServer();
  const filler = Array.from({ length: 120 }, (_, i) => `X-H${i}: v`);
  assertStatus(await sendAndExpectClose([upgradeRequest(port, { extraLines: filler }).text]), 431);
});

test('a request that never finishes → closed by the handshake timeout (300 ms)', async () => {
  const started = Date.now();
  const answer = await sendAndExpectClose(['GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'], quickTimeoutServer());
  const elapsed = Date.now() - started;
  assertStatus(answer, 408);
  assert.ok(elapsed >= 250 && elapsed < 2500, `closed after ${elapsed} ms, expected about 300 ms`);
});

test('a request trickled byte by byte is still cut by the total handshake timeout', async () => {
  const server = await quickTimeoutServer();
  const peer = await RawPeer.connect(server.port);
  const started = Date.now();
  try {
    const request = Buffer.from(upgradeRequest(server.port).text, 'latin1');
    // One byte every 20 ms: never idle for long, but the whole head needs seconds.
    for (let i = 0; i < request.length && !peer.serverClosed && Date.now() - started < 3000; i++) {
      peer.socket.write(request.subarray(i, i + 1));
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (peer.unread > 0) break;
    }
    const head = await peer.readResponseHead();
    assert.is(head.status, 408, head.statusLine);
    await peer.readBytes(Number(head.headers['content-length'] ?? 0));
    await peer.expectServerClose();
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2500, `closed after ${elapsed} ms`);
  } finally {
    peer.destroy();
  }
});

// ---- the echo CLI, end to end ----

async function wsOpen(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  try {
    await nextEvent(ws, 'open', 5000, `a ws connection to ${url}`);
  } catch (error) {
    ws.terminate();
    throw error;
  }
  return ws;
}

function startCli(extra: string[] = []) {
  return runChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'echo', '--host', '127.0.0.1', '--port', '0', ...extra], { cwd: REPO_ROOT });
}

test('CLI: `wspipe echo --host 127.0.0.1 --port 0` prints its URL and echoes; SIGTERM stops it', async () => {
  const cli = startCli();
  let ws: WebSocket | undefined;
  try {
    const match = await cli.waitForLine(/^listening on ws:\/\/127\.0\.0\.1:(\d+)\/$/, 20_000);
    const port = Number(match[1]);
    assert.ok(port > 0 && port < 65536, `port ${port}`);
    ws = await wsOpen(`ws://127.0.0.1:${port}/`);
    const socket = ws;
    const ask = async (data: string | Buffer): Promise<[Buffer, boolean]> => {
      const reply = nextEvent<[Buffer, boolean]>(socket, 'message', 5000, 'an echo from the CLI');
      socket.send(data);
      return reply;
    };
    const [text, textIsBinary] = await ask('hello CLI ✓');
    assert.is(textIsBinary, false);
    assert.is(text.toString('utf8'), 'hello CLI ✓');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff));
    const [binary, binaryIsBinary] = await ask(bytes);
    assert.is(binaryIsBinary, true);
    assert.ok(binary.equals(bytes), 'binary echo');
    const closed = nextEvent<[number, Buffer]>(socket, 'close', 5000, 'the close handshake with the CLI');
    socket.close(4000, 'done');
    const [code] = await closed;
    assert.is(code, 4000);
    cli.child.kill('SIGTERM');
    const exit = await cli.exited(5000);
    assert.is(exit.code, 0, `exit ${JSON.stringify(exit)}; stderr: ${cli.stderr()}`);
  } finally {
    ws?.terminate();
    cli.kill();
  }
});

test('CLI: --max-payload 1024 closes a 2000-byte message with 1009', async () => {
  const cli = startCli(['--max-payload', '1024']);
  let ws: WebSocket | undefined;
  try {
    const match = await cli.waitForLine(/^listening on ws:\/\/127\.0\.0\.1:(\d+)\/$/, 20_000);
    ws = await wsOpen(`ws://127.0.0.1:${match[1]}/`);
    const closed = nextEvent<[number, Buffer]>(ws, 'close', 5000, 'the close after a too-big message');
    ws.send(Buffer.alloc(2000));
    const [code] = await closed;
    assert.is(code, 1009);
  } finally {
    ws?.terminate();
    cli.kill();
    await cli.exited(5000).catch(() => {});
  }
});

test.run();
