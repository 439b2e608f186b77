/**
 * Interop over TLS: headless Chromium loads the test page over https:// and opens wss://
 * to our server, in both ways our server offers wss://: attached to the node:https server
 * that serves the page, and `createServer({ tls })` listening by itself beside it. The
 * very cases of the plain chromium.test.ts (test/helpers/interop-cases/chromium-cases.ts),
 * once per way, then the host name and a certificate Chromium must refuse.
 *
 * Chromium trusts exactly the test server's key, through
 * `--ignore-certificate-errors-spki-list=<base64 SHA-256 of its SPKI>`: certificate
 * verification stays on for every other key (the last test proves it).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../src/connection/connection.js';
import { chromiumCases, chromiumSites, run, type EchoReport } from '../helpers/interop-cases/chromium-cases.js';
import { chromiumLauncher } from '../helpers/interop-cases/chromium-page.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';
import { INTEROP_SIZES, patternText, sha256Hex } from '../helpers/payloads.js';
import { startListening } from '../helpers/servers.js';
import { spkiSha256Base64, testPki } from '../helpers/tls.js';

const pki = testPki();
const launcher = chromiumLauncher([`--ignore-certificate-errors-spki-list=${spkiSha256Base64(pki.cert)}`]);

// Up to 16 MiB once; the second way differs only in how the connection is accepted, so
// 1 MiB (64 TLS records) is enough there and keeps the file fast.
for (const [mode, sizes] of [['attached', INTEROP_SIZES], ['listening', INTEROP_SIZES.filter((size) => size <= 1 << 20)]] as const) {
  const target = interopTarget(true, mode);
  const tests = suite(target.label);
  chromiumCases(tests, target, launcher, sizes);
  tests.run();
}

const trust = suite('wss:// host names and trust in Chromium');
const withSite = chromiumSites(interopTarget(true, 'attached'), launcher);
trust.after(launcher.close);

trust('Chromium: a page from https://localhost opens wss://localhost (the DNS name in the certificate) and echoes', async () => {
  await withSite(
    {},
    async (page, site) => {
      assert.match(site.origin, /^https:\/\/localhost:/);
      const report = await run<EchoReport>(page, `echoSizes('text', [125])`);
      assert.is(report.results[0]?.digest, sha256Hex(patternText(125, 125)));
      assert.is(site.connections.length, 1);
    },
    undefined,
    'localhost',
  );
});

trust('Chromium refuses wss:// to a server whose certificate it was not told to trust (self-signed, same names); the pinned one opens', async () => {
  const accepted: Connection[] = [];
  const untrusted = await startListening({ tls: { key: pki.selfSignedKey, cert: pki.selfSignedCert }, path: '/ws' }, (connection) => accepted.push(connection));
  try {
    await withSite({}, async (page) => {
      const refused = await run<{ opened: boolean; error?: string }>(page, `tryOpen(${JSON.stringify(untrusted.url)})`);
      assert.equal(refused, { opened: false, error: 'closed before open: 1006' });
      assert.is(accepted.length, 0, 'no WebSocket connection reached the untrusted server');
      const pinned = await run<{ opened: boolean }>(page, 'tryOpen()');
      assert.equal(pinned, { opened: true }, 'the same page opens wss:// to the pinned server');
    });
  } finally {
    await untrusted.stop();
  }
});

trust.run();
