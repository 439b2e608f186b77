/**
 * `wspipe demo` as a child process, with plain HTTP and `ws` clients: where it says it
 * listens, what it serves (the page with the limit, the favicon), guest names (a page may
 * keep a well-formed name that is free), the limit, and the graceful stop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import type { ChildRun } from '../helpers/child-process.js';
import { nextEvent } from '../helpers/timeouts.js';
import { finished, wspipe } from './cli-run.js';

let demo: { cli: ChildRun; origin: string } | undefined;
const sockets: WebSocket[] = [];
test.after(async () => {
  for (const ws of sockets) ws.terminate();
  demo?.cli.kill();
  await demo?.cli.exited(5000).catch(() => {});
});

/** The demo under test, started once (lazily: a failing `before` hook would go unreported). */
async function started(): Promise<{ cli: ChildRun; origin: string }> {
  if (demo) return demo;
  const cli = wspipe(['demo', '--host', '127.0.0.1', '--port', '0', '--max-payload', '100']);
  demo = { cli, origin: '' };
  const [, origin] = await cli.waitForLine(/^wspipe demo: open http:\/\/(127\.0\.0\.1:\d+)\/ in a browser \(WebSocket at ws:\/\/127\.0\.0\.1:\d+\/ws\)$/, 20_000);
  demo.origin = origin!;
  return demo;
}

/** Joins the chat; resolves with the socket and the server's welcome. */
async function join(query = ''): Promise<{ ws: WebSocket; welcome: { type: string; name: string; token: string; text: string } }> {
  const { origin } = await started();
  const ws = new WebSocket(`ws://${origin}/ws${query}`, ['chat']);
  sockets.push(ws);
  ws.on('error', () => {});
  const [data] = await nextEvent<[Buffer]>(ws, 'message', 5000, 'the welcome');
  return { ws, welcome: JSON.parse(data.toString()) };
}

test('serves the page rendered with its limit, the favicon (svg, and 204 for /favicon.ico), 404 and 405', async () => {
  const { origin } = await started();
  const page = await fetch(`http://${origin}/`);
  assert.is(page.status, 200);
  assert.match(page.headers.get('content-type')!, /^text\/html/);
  const html = await page.text();
  assert.match(html, /"maxMessageBytes":100\b/);
  assert.match(html, /<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml">/);
  const svg = await fetch(`http://${origin}/favicon.svg`);
  assert.is(svg.status, 200);
  assert.is(svg.headers.get('content-type'), 'image/svg+xml');
  assert.match(await svg.text(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.is((await fetch(`http://${origin}/favicon.ico`)).status, 204);
  assert.is((await fetch(`http://${origin}/nope`)).status, 404);
  assert.is((await fetch(`http://${origin}/`, { method: 'POST' })).status, 405);
});

test('guest names: the next free one; a free well-formed name asked for is kept; a held one only with its token', async () => {
  const first = await join();
  assert.is(first.welcome.type, 'welcome');
  assert.match(first.welcome.name, /^guest-\d+$/);
  const kept = await join('?name=guest-77');
  assert.is(kept.welcome.name, 'guest-77');
  assert.match(kept.welcome.text, /^welcome back, you are guest-77;/);
  assert.match(kept.welcome.token, /^[A-Za-z0-9_-]{22}$/);
  for (const query of ['?name=guest-77', '?name=guest-77&token=AAAAAAAAAAAAAAAAAAAAAA', `?name=guest-77&token=${kept.welcome.token}x`]) {
    const { welcome } = await join(query);
    assert.is.not(welcome.name, 'guest-77', query);
  }
  // The holder's token takes the name over: a page back before its old connection is seen gone.
  const back = await join(`?name=guest-77&token=${kept.welcome.token}`);
  assert.is(back.welcome.name, 'guest-77');
  for (const bad of ['?name=%3Cscript%3E', '?name=admin', '?name=guest-0', '?name=guest-1234567']) {
    const { welcome } = await join(bad);
    assert.match(welcome.name, /^guest-\d{1,6}$/, bad);
    assert.match(welcome.text, /^welcome, you are/, bad);
  }
});

test('a message over --max-payload is closed with 1009', async () => {
  const { ws } = await join();
  const closed = nextEvent<[number]>(ws, 'close', 5000, 'the close after a too-big message');
  ws.send('x'.repeat(101));
  assert.is((await closed)[0], 1009);
});

test('SIGTERM: pages get 1001 (going away), exit 0', async () => {
  const { cli } = await started();
  const { ws } = await join();
  const closed = nextEvent<[number]>(ws, 'close', 10_000, 'the close on SIGTERM');
  cli.child.kill('SIGTERM');
  assert.is((await closed)[0], 1001);
  const run = await finished(cli, 10_000);
  assert.is(run.code, 0, run.stderr);
});

test.run();
