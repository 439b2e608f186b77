/**
 * Interop: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
 * against our server attached to a node:http server (`server` option, path /ws) that also
 * serves the test page. The page generates deterministic payloads and reports SHA-256
 * digests of what came back; the test checks them, and what the server received.
 *
 * Nothing is skipped: without /usr/bin/chromium these tests fail, saying so.
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { echo } from '../../src/cli/echo-server.js';
import type { Connection } from '../../src/connection/connection.js';
import { WebSocketServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';
import { INTEROP_SIZES, PAYLOAD_GENERATORS_JS, patternBytes, patternText, sha256Hex, sizeLabel } from '../helpers/payloads.js';
import { closeOf, stopServer, type CloseInfo } from '../helpers/servers.js';
import { withTimeout } from '../helpers/timeouts.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Browser-side helpers, served with the page (plain JS: nothing is serialized from Node). */
const PAGE_SCRIPT = `
${PAYLOAD_GENERATORS_JS}
async function hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
function openSocket(protocols) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket('ws://' + location.host + '/ws', protocols);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => resolve(ws);
    ws.onclose = (event) => reject(new Error('closed before open: ' + event.code));
  });
}
function closed(ws) {
  return new Promise((resolve) => {
    ws.onclose = (event) => resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  });
}
function inbox(ws) {
  const queue = [];
  let wake = null;
  ws.onmessage = (event) => { queue.push(event.data); if (wake) { const w = wake; wake = null; w(); } };
  return async () => { while (queue.length === 0) await new Promise((resolve) => { wake = resolve; }); return queue.shift(); };
}
async function echoSizes(kind, sizes) {
  const ws = await openSocket([]);
  const next = inbox(ws);
  const results = [];
  for (const size of sizes) {
    ws.send(kind === 'text' ? patternText(size, size) : patternBytes(size, size));
    const reply = await next();
    const type = typeof reply === 'string' ? 'text' : 'binary';
    const bytes = type === 'text' ? new TextEncoder().encode(reply) : new Uint8Array(reply);
    results.push({ size, type, length: bytes.byteLength, digest: await hex(bytes) });
  }
  const done = closed(ws);
  ws.close(1000, 'done');
  return { results, close: await done, extensions: ws.extensions };
}
async function openAndClose(protocols, code, reason) {
  const ws = await openSocket(protocols);
  const protocol = ws.protocol;
  const done = closed(ws);
  ws.close(code, reason);
  return { protocol, close: await done };
}
async function openAndWait(protocols) {
  const ws = await openSocket(protocols);
  const done = closed(ws);
  return { protocol: ws.protocol, close: await done };
}
`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>wspipe interop</title>
<script>${PAGE_SCRIPT}</script></head><body>wspipe interop</body></html>`;

// ---- the browser: launched once, lazily (a failing uvu `before` hook would go unreported) ----

let browserPromise: Promise<Browser> | undefined;

function browser(): Promise<Browser> {
  browserPromise ??= (async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the Chromium interop tests need Debian's chromium package (apt-get install chromium); they are not skipped`);
    }
    return withTimeout(chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 }), 35_000, 'Chromium to launch');
  })();
  return browserPromise;
}

test.after(async () => {
  if (!browserPromise) return;
  const launched = await browserPromise.catch(() => undefined);
  await launched?.close().catch(() => {});
});

// ---- one site per test: an http server serving the page, with our WebSocketServer on /ws ----

interface Site {
  http: HttpServer;
  wss: WebSocketServer;
  origin: string;
  /** Server-side connections, in accept order. */
  connections: Connection[];
}

async function withSite(options: ServerOptions, body: (page: Page, site: Site) => Promise<void>, onConnection: (connection: Connection) => void = echo): Promise<void> {
  const launched = await browser(); // first: if this fails, there is nothing to clean up
  const http = createHttpServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(PAGE);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  const wss = new WebSocketServer({ ...options, server: http, path: '/ws' });
  const connections: Connection[] = [];
  wss.on('connection', (connection) => {
    connections.push(connection);
    onConnection(connection);
  });
  const context = await launched.newContext();
  try {
    await withTimeout(new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)), 5000, 'the http server to listen');
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const page = await context.newPage();
    await page.goto(`${origin}/`, { timeout: 15_000 });
    await body(page, { http, wss, origin, connections });
  } finally {
    await context.close().catch(() => {});
    await stopServer(wss).catch(() => {});
    if (http.listening) {
      http.closeAllConnections();
      await withTimeout(new Promise<void>((resolve) => http.close(() => resolve())), 5000, 'the http server to close');
    }
  }
}

/** Runs a page expression (a Promise-returning call into PAGE_SCRIPT), bounded in time. */
function run<T>(page: Page, expression: string, ms = 30_000): Promise<T> {
  return withTimeout(page.evaluate(expression) as Promise<T>, ms, `the page to run ${expression.slice(0, 60)}`);
}

interface EchoReport {
  results: Array<{ size: number; type: string; length: number; digest: string }>;
  close: CloseInfo;
  extensions: string;
}

/** Records what the server receives, as digests, then echoes. */
function recordingEcho(seen: Array<{ type: string; length: number; digest: string }>) {
  return (connection: Connection): void => {
    connection.on('message', (message) => {
      const bytes = message.type === 'text' ? Buffer.from(message.data, 'utf8') : message.data;
      seen.push({ type: message.type, length: bytes.length, digest: sha256Hex(bytes) });
    });
    echo(connection);
  };
}

function checkEchoes(kind: 'text' | 'binary', sizes: readonly number[], report: EchoReport, seen: Array<{ type: string; length: number; digest: string }>): void {
  assert.is(report.results.length, sizes.length);
  sizes.forEach((size, i) => {
    const expected = sha256Hex(kind === 'text' ? patternText(size, size) : patternBytes(size, size));
    assert.equal(seen[i], { type: kind, length: size, digest: expected }, `${kind} ${sizeLabel(size)}: what the server received`);
    assert.equal(report.results[i], { size, type: kind, length: size, digest: expected }, `${kind} ${sizeLabel(size)}: what Chromium got back`);
  });
  assert.equal(report.close, { code: 1000, reason: '', wasClean: true });
}

// ---- tests ----

test(`Chromium is installed at ${CHROMIUM} (required, not skipped)`, () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package; the Chromium interop tests cannot run without it`);
});

for (const kind of ['text', 'binary'] as const) {
  test(`Chromium: ${kind} messages of 0 B .. 16 MiB echo intact (digests on both sides)`, async () => {
    const seen: Array<{ type: string; length: number; digest: string }> = [];
    await withSite(
      {},
      async (page) => {
        const report = await run<EchoReport>(page, `echoSizes(${JSON.stringify(kind)}, ${JSON.stringify(INTEROP_SIZES)})`, 60_000);
        checkEchoes(kind, INTEROP_SIZES, report, seen);
        assert.is(report.extensions, '', 'no extension agreed when the server does not enable one');
      },
      recordingEcho(seen),
    );
  });
}

test('Chromium: with permessage-deflate enabled on the server, text and binary echo intact', async () => {
  const sizes = [0, 125, 65536, 1 << 20];
  for (const kind of ['text', 'binary'] as const) {
    const seen: Array<{ type: string; length: number; digest: string }> = [];
    await withSite(
      { perMessageDeflate: true },
      async (page) => {
        const report = await run<EchoReport>(page, `echoSizes(${JSON.stringify(kind)}, ${JSON.stringify(sizes)})`);
        assert.match(report.extensions, /^permessage-deflate/, `extensions: ${JSON.stringify(report.extensions)}`);
        checkEchoes(kind, sizes, report, seen);
      },
      recordingEcho(seen),
    );
  }
});

test('Chromium: subprotocol selected by handleProtocols', async () => {
  await withSite({ handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false) }, async (page, site) => {
    const result = await run<{ protocol: string; close: CloseInfo }>(page, `openAndClose(['chat.v1', 'chat.v2'], 1000, '')`);
    assert.is(result.protocol, 'chat.v2');
    assert.is(site.connections[0]?.protocol, 'chat.v2');
    assert.is(result.close.code, 1000);
  });
});

test("Chromium closes with 4001/'bye' → the server reports 4001/'bye', clean; Chromium gets 4001", async () => {
  let serverClose: Promise<CloseInfo> | undefined;
  await withSite(
    {},
    async (page) => {
      const result = await run<{ close: CloseInfo }>(page, `openAndClose([], 4001, 'bye')`);
      assert.ok(serverClose, 'the server saw the connection');
      assert.equal(await serverClose, { code: 4001, reason: 'bye', wasClean: true });
      assert.is(result.close.code, 4001);
      assert.is(result.close.wasClean, true);
    },
    (connection) => {
      serverClose = closeOf(connection);
      echo(connection);
    },
  );
});

test("the server closes with 4002/'srv' → Chromium reports 4002/'srv', clean", async () => {
  let serverClose: Promise<CloseInfo> | undefined;
  await withSite(
    {},
    async (page) => {
      const result = await run<{ close: CloseInfo }>(page, 'openAndWait([])');
      assert.equal(result.close, { code: 4002, reason: 'srv', wasClean: true });
      const closed = await serverClose!;
      assert.is(closed.code, 4002);
      assert.is(closed.wasClean, true);
    },
    (connection) => {
      serverClose = closeOf(connection);
      connection.close(4002, 'srv');
    },
  );
});

test("a server-initiated ping is answered by Chromium: our 'pong' event has the same payload", async () => {
  const pongs: Buffer[] = [];
  await withSite(
    {},
    async (page) => {
      const result = await run<{ close: CloseInfo }>(page, 'openAndWait([])');
      assert.equal(pongs.map(String), ['chromium, are you there?']);
      assert.equal(result.close, { code: 1000, reason: 'pong received', wasClean: true });
    },
    (connection) => {
      connection.once('pong', (data) => {
        pongs.push(data);
        connection.close(1000, 'pong received');
      });
      connection.ping('chromium, are you there?');
    },
  );
});

test.run();
