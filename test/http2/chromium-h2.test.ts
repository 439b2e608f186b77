/**
 * Chromium opens WebSockets over HTTP/2 (RFC 8441) to our server: it does so only on an
 * HTTP/2 connection it already has to the origin, whose SETTINGS allow extended CONNECT,
 * so the page is loaded over h2 first (TLS with ALPN h2, from the node:http2 server our
 * server is attached to). Several sockets then share that one session, and messages go
 * both ways up to 16 MiB with permessage-deflate. Chromium trusts exactly the test
 * server's key (--ignore-certificate-errors-spki-list).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromiumLauncher, pageHtml } from '../helpers/interop-cases/chromium-page.js';
import { startH2Site } from '../helpers/h2.js';
import { patternBytes, patternText, sha256Hex } from '../helpers/payloads.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { spkiSha256Base64, testPki } from '../helpers/tls.js';

const pki = testPki();
const launcher = chromiumLauncher([`--ignore-certificate-errors-spki-list=${spkiSha256Base64(pki.cert)}`]);
const test = suite('Chromium: WebSockets over HTTP/2');
test.after(launcher.close);

interface EchoReport {
  results: Array<{ size: number; type: string; length: number; digest: string }>;
  close: { code: number; reason: string; wasClean: boolean };
  extensions: string;
}

test('a page loaded over h2 opens four WebSockets as streams of its one session; text and binary up to 16 MiB both ways, compressed', async () => {
  const browser = await launcher.browser();
  const h2 = await startH2Site({ page: (port) => pageHtml(port), wss: { perMessageDeflate: true, maxPayload: 32 << 20 } });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(`${h2.origin}/`, { timeout: 15_000 });
    assert.is(response?.status(), 200);
    assert.ok(h2.pageVersions.length > 0 && h2.pageVersions.every((version) => version === '2.0'), 'the page came over HTTP/2');
    const sizes = [0, 125, 65536, 1 << 20];
    const reports = await withTimeout(
      page.evaluate(
        `Promise.all([echoSizes('text', ${JSON.stringify(sizes)}), echoSizes('binary', ${JSON.stringify(sizes)}), echoSizes('text', [16777216]), echoSizes('binary', [16777216])])`,
      ) as Promise<EchoReport[]>,
      60_000,
      'the page to echo through four sockets',
    );
    const expected = [
      ...['text', 'binary'].map((kind) => sizes.map((size) => ({ kind, size }))),
      [{ kind: 'text', size: 16 << 20 }],
      [{ kind: 'binary', size: 16 << 20 }],
    ];
    reports.forEach((report, index) => {
      assert.equal(report.close, { code: 1000, reason: '', wasClean: true }); // the close code is echoed, not the reason
      assert.match(report.extensions, /^permessage-deflate/);
      report.results.forEach((result, at) => {
        const { kind, size } = expected[index]![at]!;
        const data = kind === 'text' ? patternText(size, size) : patternBytes(size, size);
        assert.equal(result, { size, type: kind, length: size, digest: sha256Hex(data) }, `${kind} ${size} on socket ${index}`);
      });
    });
    assert.is(h2.connections.length, 4);
    for (const connection of h2.connections) {
      assert.is(connection.transport, 'h2', 'an extended CONNECT stream, not an HTTP/1.1 upgrade');
      assert.match(connection.extensions, /^permessage-deflate/);
    }
    assert.is(h2.sessions.length, 1, 'one HTTP/2 session: the page and its four sockets');
    assert.is(new Set(h2.connections.map((connection) => connection.remotePort)).size, 1, 'one TCP connection');
    await eventually(() => h2.connections.every((connection) => connection.readyState === 3), 5000, 'the server sides to close');
    assert.equal(
      h2.connections.map((connection) => connection.closeInfo?.wasClean),
      [true, true, true, true],
    );
  } finally {
    await context.close().catch(() => {});
    await h2.stop();
  }
});

test('the server closes with its code; the page sees it, and the session stays up for the next socket', async () => {
  const browser = await launcher.browser();
  const h2 = await startH2Site({ page: (port) => pageHtml(port), onConnection: (connection) => connection.once('message', () => connection.close(4001, 'bye')) });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${h2.origin}/`, { timeout: 15_000 });
    const closes = await page.evaluate(`(async () => {
      const out = [];
      for (let i = 0; i < 2; i++) {
        const ws = await openSocket([]);
        const done = closed(ws);
        ws.send('close me');
        out.push(await done);
      }
      return out;
    })()`);
    assert.equal(closes, [
      { code: 4001, reason: 'bye', wasClean: true },
      { code: 4001, reason: 'bye', wasClean: true },
    ]);
    assert.is(h2.sessions.length, 1);
    assert.equal(h2.connections.map((connection) => connection.transport), ['h2', 'h2']);
  } finally {
    await context.close().catch(() => {});
    await h2.stop();
  }
});

test.run();
