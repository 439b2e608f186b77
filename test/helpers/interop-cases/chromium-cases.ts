/**
 * Interop cases: headless Chromium against our server, the page served by a node:http(s)
 * server: our server attached to it (path /ws), or listening by itself beside it. The
 * page generates deterministic payloads and reports SHA-256 digests of what came back;
 * the test checks them, and what the server received. Defined on a suite for a target
 * (ws:// or wss://, listening or attached), so test/interop/chromium.test.ts and its TLS
 * twin run the same cases.
 *
 * Nothing is skipped: without /usr/bin/chromium these tests fail, saying so.
 */
import { existsSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import type { Page } from 'playwright-core';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { echo } from '../../../src/cli/echo-server.js';
import type { Connection } from '../../../src/connection/connection.js';
import type { ServerOptions } from '../../../src/server/options.js';
import type { WebSocketServer } from '../../../src/server/server.js';
import { INTEROP_SIZES, patternBytes, patternText, sha256Hex, sizeLabel } from '../payloads.js';
import { closeOf, listenWebServer, stopWebServer, type CloseInfo, type EchoServer } from '../servers.js';
import { withTimeout } from '../timeouts.js';
import { CHROMIUM, pageHtml, type ChromiumLauncher } from './chromium-page.js';
import type { InteropTarget } from './targets.js';

export interface Site {
  /** Our server, and the connections it accepted, in order. */
  server: WebSocketServer;
  connections: Connection[];
  /** Where the page was loaded from. */
  origin: string;
}

export type WithSite = (
  options: ServerOptions,
  body: (page: Page, site: Site) => Promise<void>,
  onConnection?: (connection: Connection) => void,
  hostname?: string,
) => Promise<void>;

/**
 * Runs `body` with a fresh browser context and page loaded from a web server of the
 * target's kind (http or https, on `hostname`), our server (with `options`, running
 * `onConnection`, default echo) in the target's mode; stops them all afterwards.
 */
export function chromiumSites(target: InteropTarget, launcher: ChromiumLauncher): WithSite {
  return async (options, body, onConnection = echo, hostname = '127.0.0.1') => {
    const launched = await launcher.browser(); // first: if this fails, there is nothing to clean up
    let wsPort = 0;
    const servePage: RequestListener = (request, response) => {
      if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(pageHtml(wsPort));
      } else {
        response.writeHead(404);
        response.end();
      }
    };
    const web = target.createWebServer(servePage);
    const connections: Connection[] = [];
    const accept = (connection: Connection): void => {
      connections.push(connection);
      onConnection(connection);
    };
    const context = await launched.newContext();
    let ours: EchoServer | undefined;
    try {
      ours = await target.startServer({ ...options, path: '/ws' }, accept, web);
      wsPort = ours.port;
      const pagePort = web.listening ? wsPort : await listenWebServer(web);
      const origin = `${target.secure ? 'https' : 'http'}://${hostname}:${pagePort}`;
      const page = await context.newPage();
      await page.goto(`${origin}/`, { timeout: 15_000 });
      await body(page, { server: ours.server, connections, origin });
    } finally {
      await context.close().catch(() => {});
      await ours?.stop().catch(() => {});
      await stopWebServer(web);
    }
  };
}

/** Runs a page expression (a Promise-returning call into PAGE_SCRIPT), bounded in time. */
export function run<T>(page: Page, expression: string, ms = 30_000): Promise<T> {
  return withTimeout(page.evaluate(expression) as Promise<T>, ms, `the page to run ${expression.slice(0, 60)}`);
}

export interface EchoReport {
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

/** `sizes`: the message sizes of the echo cases (default INTEROP_SIZES, up to 16 MiB). */
export function chromiumCases(test: Test, target: InteropTarget, launcher: ChromiumLauncher, sizes: readonly number[] = INTEROP_SIZES): void {
  const withSite = chromiumSites(target, launcher);

  test(`Chromium is installed at ${CHROMIUM} (required, not skipped)`, () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package; the Chromium interop tests cannot run without it`);
  });

  for (const kind of ['text', 'binary'] as const) {
    test(`Chromium: ${kind} messages of ${sizeLabel(sizes[0]!)} .. ${sizeLabel(sizes.at(-1)!)} echo intact (digests on both sides)`, async () => {
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
}
