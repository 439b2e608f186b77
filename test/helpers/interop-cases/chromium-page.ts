/**
 * Headless Chromium for the interop suites: Debian's /usr/bin/chromium driven by
 * playwright-core, launched once per test file and lazily (a failing uvu `before` hook
 * would go unreported), and the test page it loads. The page generates deterministic
 * payloads and reports SHA-256 digests of what came back.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { PAYLOAD_GENERATORS_JS } from '../payloads.js';
import { withTimeout } from '../timeouts.js';

export const CHROMIUM = '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumLauncher {
  /** The file's browser, launched on first use. */
  browser(): Promise<Browser>;
  /** Closes it, if it was launched (register with the file's last `test.after`). */
  close(): Promise<void>;
}

/** One browser for a test file, launched with `extraArgs` besides the usual headless ones. */
export function chromiumLauncher(extraArgs: readonly string[] = []): ChromiumLauncher {
  let launching: Promise<Browser> | undefined;
  return {
    browser() {
      launching ??= (async () => {
        if (!existsSync(CHROMIUM)) {
          throw new Error(`${CHROMIUM} is missing: the Chromium interop tests need Debian's chromium package (apt-get install chromium); they are not skipped`);
        }
        return withTimeout(chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS, ...extraArgs], timeout: 30_000 }), 35_000, 'Chromium to launch');
      })();
      return launching;
    },
    async close() {
      if (!launching) return;
      const launched = await launching.catch(() => undefined);
      await launched?.close().catch(() => {});
    },
  };
}

/**
 * Browser-side helpers, served with the page (plain JS: nothing is serialized from Node).
 * The WebSocket URL follows the page's scheme and host name, on WS_PORT (the page's own
 * port when the server is attached to the web server, another one when it listens itself).
 */
const PAGE_SCRIPT = `
${PAYLOAD_GENERATORS_JS}
function socketUrl() {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.hostname + ':' + WS_PORT + '/ws';
}
async function hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
function openSocket(protocols, url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url || socketUrl(), protocols);
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
function tryOpen(url) {
  return openSocket([], url).then(
    (ws) => { ws.close(1000); return { opened: true }; },
    (error) => ({ opened: false, error: String(error.message) }),
  );
}
`;

/** The test page, its sockets going to `wsPort` (path /ws). */
export function pageHtml(wsPort: number): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>wspipe interop</title>
<script>const WS_PORT = ${wsPort};
${PAGE_SCRIPT}</script></head><body>wspipe interop</body></html>`;
}
