/**
 * `wspipe echo` as a child process, with `ws` clients: the listening line, the connection
 * log on stderr (and --quiet), wss:// with --tls-cert/--tls-key, a port in use, and the
 * graceful stop on SIGINT/SIGTERM (1001 to every connection, exit 0).
 */
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import type { ChildRun } from '../helpers/child-process.js';
import { eventually, nextEvent } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';
import { finished, wspipe } from './cli-run.js';

const running: ChildRun[] = [];
const sockets: WebSocket[] = [];
test.after.each(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited(5000).catch(() => {});
  }
});

/** Starts `wspipe echo --host 127.0.0.1 --port 0 ARGS`; resolves with its URL once it listens. */
async function startEcho(args: string[] = []): Promise<{ cli: ChildRun; url: string; port: number }> {
  const cli = wspipe(['echo', '--host', '127.0.0.1', '--port', '0', ...args]);
  running.push(cli);
  const match = await cli.waitForLine(/^listening on (wss?:\/\/127\.0\.0\.1:(\d+)\/)$/, 20_000);
  return { cli, url: match[1]!, port: Number(match[2]) };
}

async function open(url: string, protocols: string[] = [], options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  sockets.push(ws);
  ws.on('error', () => {});
  await nextEvent(ws, 'open', 5000, `a ws connection to ${url}`);
  return ws;
}

async function echoOf(ws: WebSocket, text: string): Promise<string> {
  const reply = nextEvent<[Buffer, boolean]>(ws, 'message', 5000, 'the echo');
  ws.send(text);
  const [data, isBinary] = await reply;
  assert.is(isBinary, false);
  return data.toString('utf8');
}

test('logs each open (peer, protocol, extensions) and close (code, escaped reason, clean) on stderr; stdout has only the listening line', async () => {
  const { cli, url } = await startEcho(['--deflate']);
  const ws = await open(url, ['chat']);
  assert.is(await echoOf(ws, 'hi ✓'), 'hi ✓');
  const closed = nextEvent<[number]>(ws, 'close', 5000, 'the close handshake');
  ws.close(4000, 'done\x1b[2J');
  assert.is((await closed)[0], 4000);
  await eventually(() => cli.stderr().includes(' closed: '), 5000, 'the close to be logged');
  const log = cli.stderr().split('\n');
  const peer = /^(127\.0\.0\.1:\d+) open, protocol: chat, extensions: permessage-deflate/.exec(log[0]!);
  assert.ok(peer, log[0]);
  assert.is(log[1], `${peer![1]} closed: 4000 (application code), reason "done\\x1b[2J", clean`);
  cli.child.kill('SIGINT');
  const run = await finished(cli, 10_000);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, `listening on ${url}`);
});

test('--quiet: nothing on stderr', async () => {
  const { cli, url } = await startEcho(['--quiet']);
  const ws = await open(url);
  assert.is(await echoOf(ws, 'quiet'), 'quiet');
  const closed = nextEvent(ws, 'close', 5000, 'the close handshake');
  ws.close(1000);
  await closed;
  cli.child.kill('SIGTERM');
  const run = await finished(cli, 10_000);
  assert.is(run.code, 0);
  assert.is(run.stderr, '');
});

test('SIGINT and SIGTERM: open connections get 1001 (going away), then exit 0', async () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const { cli, url } = await startEcho();
    const [first, second] = await Promise.all([open(url), open(url)]);
    const closes = [first!, second!].map((ws) => nextEvent<[number, Buffer]>(ws, 'close', 10_000, `the close after ${signal}`));
    cli.child.kill(signal);
    for (const close of closes) assert.is((await close)[0], 1001, signal);
    const run = await finished(cli, 10_000);
    assert.is(run.code, 0, `${signal}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${signal}: shutting down`));
  }
});

test('--tls-cert and --tls-key: listening on wss://, the echo works over TLS', async () => {
  const pki = testPki();
  const { url } = await startEcho(['--tls-cert', pki.certFile, '--tls-key', pki.keyFile]);
  assert.match(url, /^wss:\/\//);
  const ws = await open(url, [], { ca: pki.ca });
  assert.is(await echoOf(ws, 'over TLS'), 'over TLS');
});

test('a port in use: the error on stderr, exit 1', async () => {
  const blocker = createNetServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const port = (blocker.address() as AddressInfo).port;
    const run = await finished(wspipe(['echo', '--host', '127.0.0.1', '--port', String(port)]));
    assert.is(run.code, 1);
    assert.is(run.stdout, '');
    assert.match(run.stderr, /^wspipe echo: .*EADDRINUSE.*\n$/);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test.run();
