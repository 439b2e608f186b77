/**
 * Interop: Chromium's own WebSocketStream (Debian's /usr/bin/chromium, through
 * playwright-core) with our server taking its connections as streams
 * (`connection.stream()`): messages echoed by a handler that is `readable.pipeTo(writable)`,
 * with and without permessage-deflate; close codes both ways; and backpressure both ways —
 * a page that does not read lets our server hand only a bounded part of what it writes to
 * the operating system, and a server readable that is not read stalls the page's writes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import type { Connection, ConnectionStreams } from '../../src/index.js';
import { WebSocketError } from '../../src/index.js';
import { chromiumSites, run } from '../helpers/interop-cases/chromium-cases.js';
import { chromiumLauncher } from '../helpers/interop-cases/chromium-page.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';
import { patternBytes, patternText, sha256Hex, sizeLabel } from '../helpers/payloads.js';
import { delay, eventually, withTimeout } from '../helpers/timeouts.js';

const launcher = chromiumLauncher();
test.after(launcher.close);
const withSite = chromiumSites(interopTarget(false, 'attached'), launcher);
const MiB = 1 << 20;

/**
 * Page-side helpers (plain JS, run in the page once it loaded; the page has patternBytes,
 * patternText, hex and socketUrl). Chromium 156 still reads binary messages as ArrayBuffers
 * (the standard's Uint8Array is behind its WebSocketStreamStandardBinaryChunkType feature):
 * \`bytesOf\` takes either.
 */
const STREAM_SCRIPT = `
const bytesOf = (value) => (value instanceof ArrayBuffer ? new Uint8Array(value) : value);
window.streamEcho = async (kind, sizes) => {
  const wss = new WebSocketStream(socketUrl());
  const { readable, writable, extensions } = await wss.opened;
  const writer = writable.getWriter();
  const reader = readable.getReader();
  const results = [];
  for (const size of sizes) {
    await writer.write(kind === 'text' ? patternText(size, size) : patternBytes(size, size));
    const { value } = await reader.read();
    const type = typeof value === 'string' ? 'text' : value instanceof Uint8Array || value instanceof ArrayBuffer ? 'binary' : typeof value;
    const bytes = type === 'text' ? new TextEncoder().encode(value) : bytesOf(value);
    results.push({ size, type, length: bytes.byteLength, digest: await hex(bytes) });
  }
  wss.close({ closeCode: 1000 });
  return { results, extensions, closed: await wss.closed };
};
window.openAndCloseWith = async (closeInfo) => {
  const wss = new WebSocketStream(socketUrl());
  await wss.opened;
  wss.close(closeInfo);
  return wss.closed;
};
window.openAndAwaitClose = async () => {
  const wss = new WebSocketStream(socketUrl());
  await wss.opened;
  return wss.closed.then((info) => ({ ...info, clean: true }), (error) => ({ name: error.name, closeCode: error.closeCode, clean: false }));
};
window.openUnread = async () => {
  window.unread = new WebSocketStream(socketUrl());
  await window.unread.opened;
  return true;
};
window.readAll = async (count) => {
  const { readable } = await window.unread.opened;
  const reader = readable.getReader();
  const indexes = [];
  let total = 0;
  while (indexes.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    const bytes = bytesOf(value);
    indexes.push(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0));
    total += bytes.byteLength;
  }
  window.unread.close({ closeCode: 1000 });
  return { indexes, bytes: total, closed: await window.unread.closed };
};
window.writeMany = async (count, size) => {
  const wss = new WebSocketStream(socketUrl());
  const { writable } = await wss.opened;
  const writer = writable.getWriter();
  window.written = 0;
  window.writing = (async () => {
    for (let i = 0; i < count; i++) {
      const chunk = new Uint8Array(size).fill(i & 255);
      new DataView(chunk.buffer).setUint32(0, i);
      await writer.write(chunk);
      window.written++;
    }
    await writer.close();
    return wss.closed;
  })();
  return true;
};
`;

async function load(page: Page): Promise<void> {
  await page.evaluate(STREAM_SCRIPT);
}

/** Our server's handler: its streams are recorded, and piped back to the page unless `echo` is false. */
function streamsHandler(all: ConnectionStreams[], echo = true, options = {}): (connection: Connection) => void {
  return (connection) => {
    const streams = connection.stream(options);
    all.push(streams);
    if (echo) void streams.readable.pipeTo(streams.writable).catch(() => {});
  };
}

interface StreamEchoReport {
  results: Array<{ size: number; type: string; length: number; digest: string }>;
  extensions: string;
  closed: { closeCode: number; reason: string };
}

for (const deflate of [false, true]) {
  const sizes = deflate ? [0, 125, 65536, MiB] : [0, 1, 125, 126, 65535, 65536, MiB, 16 * MiB];
  test(`Chromium's WebSocketStream ↔ readable.pipeTo(writable) on our server, permessage-deflate ${deflate ? 'on' : 'off'}: ${sizeLabel(sizes.at(-1)!)} at most, text and binary intact`, async () => {
    const all: ConnectionStreams[] = [];
    await withSite({ perMessageDeflate: deflate }, async (page) => {
      await load(page);
      for (const kind of ['text', 'binary'] as const) {
        const report = await run<StreamEchoReport>(page, `streamEcho(${JSON.stringify(kind)}, ${JSON.stringify(sizes)})`, 60_000);
        assert.is(report.extensions.startsWith('permessage-deflate'), deflate, `extensions: ${report.extensions}`);
        sizes.forEach((size, i) => {
          const expected = sha256Hex(kind === 'text' ? patternText(size, size) : patternBytes(size, size));
          assert.equal(report.results[i], { size, type: kind, length: size, digest: expected }, `${kind} ${sizeLabel(size)}`);
        });
        assert.equal(report.closed, { closeCode: 1000, reason: '' });
      }
      assert.equal(await withTimeout(all[1]!.closed, 5000, "the server's closed"), { closeCode: 1000, reason: '' });
    }, streamsHandler(all));
  });
}

test("close codes both ways: the page's close({ closeCode, reason }) reaches the server's `closed`; the server's cancel with a WebSocketError reaches the page's", async () => {
  const all: ConnectionStreams[] = [];
  await withSite({}, async (page) => {
    await load(page);
    const pageSide = await run<{ closeCode: number; reason: string }>(page, `openAndCloseWith({ closeCode: 4001, reason: 'bye' })`);
    assert.equal(pageSide, { closeCode: 4001, reason: '' }, 'our server answers with the code');
    assert.equal(await withTimeout(all[0]!.closed, 5000, "the server's closed"), { closeCode: 4001, reason: 'bye' });
  }, streamsHandler(all));
  await withSite({}, async (page) => {
    await load(page);
    const pageSide = await run<{ closeCode: number; reason: string; clean: boolean }>(page, 'openAndAwaitClose()');
    assert.equal(pageSide, { closeCode: 4002, reason: 'srv', clean: true });
  }, (connection) => void connection.stream().readable.cancel(new WebSocketError('srv', { closeCode: 4002, reason: 'srv' })));
});

test('a page that does not read: our server hands only a bounded part of 64 MiB to the OS, then all of it arrives in order once the page reads', async () => {
  const all: ConnectionStreams[] = [];
  let handedToOs = 0;
  const pumped: Array<Promise<void>> = [];
  await withSite({}, async (page) => {
    await load(page);
    await run(page, 'openUnread()');
    await eventually(() => all.length === 1, 5000, 'the connection');
    const writer = all[0]!.writable.getWriter();
    pumped.push(
      (async () => {
        for (let i = 0; i < 64; i++) {
          const chunk = Buffer.alloc(MiB, i & 255);
          chunk.writeUInt32BE(i, 0);
          await writer.ready;
          await writer.write(chunk);
          handedToOs++;
        }
      })(),
    );
    pumped[0]!.catch(() => {}); // awaited below; a failure before that must not be unhandled
    await delay(1000);
    const whileUnread = handedToOs;
    console.log(`      page not reading: ${whileUnread} of 64 MiB handed to the OS by our server`);
    assert.ok(whileUnread < 40, `our server could hand ${whileUnread} MiB to a page that reads nothing`);
    const report = await run<{ indexes: number[]; bytes: number; closed: { closeCode: number } }>(page, 'readAll(64)', 30_000);
    assert.equal(report.indexes, Array.from({ length: 64 }, (_, i) => i));
    assert.is(report.bytes, 64 * MiB);
    await withTimeout(pumped[0]!, 5000, 'the server to finish writing');
    assert.is(handedToOs, 64);
  }, streamsHandler(all, false));
});

test("a server readable that is not read: the page's writes stall after a bounded amount, then all 64 MiB arrive in order once the server reads", async () => {
  const all: ConnectionStreams[] = [];
  await withSite({}, async (page) => {
    await load(page);
    await run(page, 'writeMany(64, 1048576)');
    await eventually(() => all.length === 1, 5000, 'the connection');
    await delay(1000);
    const written = await run<number>(page, 'Promise.resolve(window.written)');
    console.log(`      our server not reading: ${written} of 64 MiB written by the page`);
    assert.ok(written < 40, `the page could write ${written} MiB to a server that reads nothing`);
    let expected = 0;
    for await (const chunk of all[0]!.readable) {
      const message = Buffer.from(chunk as Uint8Array);
      assert.is(message.readUInt32BE(0), expected);
      assert.is(message.length, MiB);
      expected++;
    }
    assert.is(expected, 64);
    const closed = await run<{ closeCode: number }>(page, 'window.writing', 10_000);
    assert.equal(closed, { closeCode: 1005, reason: '' });
  }, streamsHandler(all, false, { readableHighWaterMark: MiB }));
});

test.run();
