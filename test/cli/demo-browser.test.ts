/**
 * The demo page in headless Chromium (Debian's /usr/bin/chromium through playwright-core)
 * against the demo server: two pages chat; the input enforces the server's limit in UTF-8
 * bytes; a message forced past it gets the 1009 explanation and no silent return as a new
 * guest; a server restart is announced and the page comes back under the same name.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDemo, type Demo } from '../../src/cli/demo.js';
import { delay, withTimeout } from '../helpers/timeouts.js';

const CHROMIUM = '/usr/bin/chromium';
// As in test/interop/chromium.test.ts.
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Waits inside the page; playwright's own timeouts bound each. */
const WAIT = { timeout: 10_000 };

let browserPromise: Promise<Browser> | undefined;
function browser(): Promise<Browser> {
  browserPromise ??= (async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
    return withTimeout(chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 }), 35_000, 'Chromium to launch');
  })();
  return browserPromise;
}

const demos: Demo[] = [];
const contexts: BrowserContext[] = [];
test.after.each(async () => {
  for (const context of contexts.splice(0)) await context.close().catch(() => {});
  for (const demo of demos.splice(0)) await withTimeout(demo.stop(), 10_000, 'the demo to stop').catch(() => {});
});
test.after(async () => {
  const launched = await browserPromise?.catch(() => undefined);
  await launched?.close().catch(() => {});
});

async function demoOn(port = 0): Promise<Demo> {
  const demo = await startDemo({ host: '127.0.0.1', port });
  demos.push(demo);
  return demo;
}

interface OpenPage {
  page: Page;
  /** Console errors, uncaught exceptions and HTTP errors seen by the page. */
  problems: string[];
}

/** A page in its own browser context (its own sessionStorage), open and joined. */
async function openPage(demo: Demo): Promise<OpenPage> {
  const context = await (await browser()).newContext();
  contexts.push(context);
  // Keep every WebSocket the page makes, so a test can bypass the page's own checks.
  await context.addInitScript({ content: KEEP_SOCKETS });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  await page.goto(`http://127.0.0.1:${demo.port}/`);
  await page.locator('#state', { hasText: /^open$/ }).waitFor(WAIT);
  await page.locator('#me', { hasText: /^guest-\d+$/ }).waitFor(WAIT);
  return { page, problems };
}

/** Page script (plain JS, run before the page's own): every WebSocket the page makes, kept in `window.sockets`. */
const KEEP_SOCKETS = `
  window.sockets = [];
  window.WebSocket = class extends window.WebSocket {
    constructor(...args) { super(...args); window.sockets.push(this); }
  };
`;

const nameOf = (page: Page): Promise<string> => page.locator('#me').innerText();
const socketCount = (page: Page): Promise<number> => page.evaluate<number>('window.sockets.length');
const logLine = (page: Page, text: string) => page.locator('#log .line', { hasText: text });

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

test('two pages chat; the favicon is linked and served; no console errors or failed requests', async () => {
  const demo = await demoOn();
  const a = await openPage(demo);
  const b = await openPage(demo);
  const [nameA, nameB] = [await nameOf(a.page), await nameOf(b.page)];
  assert.is.not(nameA, nameB);
  await say(a.page, 'hello from A ✓');
  await logLine(b.page, `${nameA}: hello from A ✓`).waitFor(WAIT);
  await logLine(a.page, 'you: hello from A ✓').waitFor(WAIT);
  await say(b.page, 'hi A');
  await logLine(a.page, `${nameB}: hi A`).waitFor(WAIT);
  assert.is(await a.page.locator('link[rel=icon]').getAttribute('href'), '/favicon.svg');
  const svg = await a.page.request.get(`http://127.0.0.1:${demo.port}/favicon.svg`);
  assert.is(svg.status(), 200);
  assert.is(svg.headers()['content-type'], 'image/svg+xml');
  const ico = await a.page.request.get(`http://127.0.0.1:${demo.port}/favicon.ico`);
  assert.ok(ico.status() === 200 || ico.status() === 204, `favicon.ico: ${ico.status()}`);
  assert.match(await a.page.locator('.tagline').innerText(), /^wspipe is a WebSocket library/);
  assert.is(await a.page.locator('.pipeline .chain').first().innerText().then((text) => text.replace(/\s+/g, ' ')), 'decode HeaderParser → Unmasker → Defragmenter → [Inflate] → MessageDecoder');
  assert.equal([...a.problems, ...b.problems], []);
});

test('the input counts UTF-8 bytes: over the limit the reason is shown, Send is disabled and nothing goes out', async () => {
  const demo = await demoOn();
  const a = await openPage(demo);
  const b = await openPage(demo);
  const nameA = await nameOf(a.page);
  // 1366 characters but 4098 bytes: a character count would let it through.
  await a.page.fill('#text', '€'.repeat(1366));
  assert.is(await a.page.locator('#meter').innerText(), '2 bytes over the 4096-byte limit');
  assert.ok(await a.page.locator('#send').isDisabled());
  const reason = a.page.locator('#too-long');
  assert.ok(await reason.isVisible());
  assert.match(await reason.innerText(), /4098 bytes in UTF-8 and the server accepts at most 4096 bytes/);
  await a.page.press('#text', 'Enter');
  await say(a.page, 'after the refused one');
  await logLine(b.page, `${nameA}: after the refused one`).waitFor(WAIT);
  assert.is(await b.page.locator('#log .line', { hasText: '€' }).count(), 0, 'the message over the limit went out');
  // One byte under: allowed, and delivered whole.
  await a.page.fill('#text', '€'.repeat(1365));
  assert.is(await a.page.locator('#meter').innerText(), '1 of 4096 bytes left');
  assert.ok(await a.page.locator('#send').isEnabled());
  assert.not.ok(await reason.isVisible());
  await a.page.press('#text', 'Enter');
  await logLine(b.page, `${nameA}: ${'€'.repeat(1365)}`).waitFor(WAIT);
  assert.is(await a.page.locator('#state').innerText(), 'open');
  assert.equal([...a.problems, ...b.problems], []);
});

test('a message forced over the limit: the page explains 1009 and stays closed; Reconnect brings back the same guest', async () => {
  const demo = await demoOn();
  const a = await openPage(demo);
  const b = await openPage(demo);
  const nameA = await nameOf(a.page);
  // Bypass the input check: send on the page's socket directly.
  await a.page.evaluate("window.sockets.at(-1).send('x'.repeat(5000))");
  const notice = a.page.locator('#notice');
  await notice.waitFor({ state: 'visible', ...WAIT });
  assert.match(await notice.innerText(), /code 1009 \(message too big\): a message was larger than the 4096 bytes it accepts per message/);
  assert.is(await a.page.locator('#state').innerText(), 'closed (1009)');
  await logLine(b.page, `${nameA} left`).waitFor(WAIT);
  // The page reconnects after 0.5 s on a drop; here it must not reconnect at all.
  await delay(1500);
  assert.is(await socketCount(a.page), 1, 'the page opened a new connection by itself');
  assert.is(await b.page.locator('#log .line', { hasText: 'joined' }).count(), 0);
  await a.page.locator('#reconnect').click();
  await a.page.locator('#state', { hasText: /^open$/ }).waitFor(WAIT);
  assert.is(await nameOf(a.page), nameA);
  await logLine(a.page, `welcome back, you are ${nameA}`).waitFor(WAIT);
  await logLine(b.page, `${nameA} is back`).waitFor(WAIT);
  assert.equal(b.problems, []);
});

test('a server restart (1001): a visible note, then the page reconnects under the same guest name', async () => {
  const first = await demoOn();
  const x = await openPage(first);
  const y = await openPage(first);
  const nameY = await nameOf(y.page);
  assert.is.not(nameY, 'guest-1', 'the restarted server would give a new page guest-1');
  await x.page.context().close();
  await withTimeout(first.stop(), 10_000, 'the demo to stop');
  demos.splice(demos.indexOf(first), 1);
  await y.page.locator('#notice', { hasText: /Connection lost \(1001, going away/ }).waitFor(WAIT);
  await demoOn(first.port);
  await y.page.locator('#state', { hasText: /^open$/ }).waitFor({ timeout: 20_000 });
  assert.is(await nameOf(y.page), nameY);
  await logLine(y.page, `welcome back, you are ${nameY}`).waitFor(WAIT);
  assert.ok(await y.page.locator('#notice').isHidden());
});

test.run();
