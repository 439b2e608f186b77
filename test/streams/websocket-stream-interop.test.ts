/**
 * Interop of our WebSocketStream with servers: the `ws` package's and ours, with and
 * without permessage-deflate — every message size of the interop suites, text and binary,
 * echoed whole — and over wss:// with the test PKI (trusted through the third argument's
 * `ca`; refused without it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketError, WebSocketStream } from '../../src/index.js';
import { INTEROP_SIZES, patternBytes, patternText, payloadMismatch, sizeLabel } from '../helpers/payloads.js';
import { withTimeout } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';
import { rejection } from './helpers.js';
import { startPeer, type PeerKind, type PeerOptions, type StreamPeer } from './peers.js';

const started: StreamPeer[] = [];
test.after(async () => {
  for (const peer of started) await peer.stop().catch(() => {});
});

async function peer(kind: PeerKind, options: PeerOptions): Promise<StreamPeer> {
  const server = await startPeer(kind, options);
  started.push(server);
  return server;
}

const payloads = new Map<string, string | Buffer>();
/** The payload of `size` bytes, made once (the generator is slow for 16 MiB). */
function payload(kind: 'text' | 'binary', size: number): string | Buffer {
  const key = `${kind} ${size}`;
  if (!payloads.has(key)) payloads.set(key, kind === 'text' ? patternText(size, size) : patternBytes(size, size));
  return payloads.get(key)!;
}

/** Sends each size as `kind` through `/echo` and checks each reply. */
async function echoAllSizes(wss: WebSocketStream, kind: 'text' | 'binary', sizes: readonly number[] = INTEROP_SIZES): Promise<void> {
  const { readable, writable } = await withTimeout(wss.opened, 5000, 'opened');
  const writer = writable.getWriter();
  const reader = readable.getReader();
  for (const size of sizes) {
    const sent = payload(kind, size);
    await writer.write(sent);
    const { value } = await withTimeout(reader.read(), 10000, `the echo of ${sizeLabel(size)}`);
    const received = typeof value === 'string' ? value : Buffer.from(value!.buffer, value!.byteOffset, value!.byteLength);
    const mismatch = payloadMismatch(received, sent);
    assert.is(mismatch, null, `${kind} ${sizeLabel(size)}: ${mismatch}`);
  }
}

for (const kind of ['ws', 'wspipe'] as const) {
  for (const deflate of [false, true]) {
    // Compressing 16 MiB of pseudo-random bytes takes seconds: with deflate, up to 1 MiB
    // (test/deflate covers the big sizes).
    const sizes = deflate ? INTEROP_SIZES.filter((size) => size <= 1 << 20) : INTEROP_SIZES;
    test(`${kind} server, permessage-deflate ${deflate ? 'on' : 'off'}: sizes up to ${sizeLabel(sizes.at(-1)!)}, text and binary, echoed whole`, async () => {
      const server = await peer(kind, { perMessageDeflate: deflate });
      for (const messageKind of ['text', 'binary'] as const) {
        const wss = new WebSocketStream(server.url('/echo'));
        await echoAllSizes(wss, messageKind, sizes);
        assert.is((await wss.opened).extensions.startsWith('permessage-deflate'), deflate);
        wss.close({ closeCode: 1000 });
        assert.is((await withTimeout(wss.closed, 5000, 'closed')).closeCode, 1000);
      }
    });
  }
}

test('wss:// to our server, trusting the test CA through the third argument; without it the handshake fails', async () => {
  const pki = testPki();
  const server = await peer('wspipe', { tls: { key: pki.key, cert: pki.cert }, perMessageDeflate: true });
  const wss = new WebSocketStream(server.url('/echo'), {}, { ca: pki.ca });
  await echoAllSizes(wss, 'binary', INTEROP_SIZES.filter((size) => size <= 1 << 20));
  wss.close();
  assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
  const untrusted = new WebSocketStream(server.url('/echo'));
  const error = (await rejection(untrusted.opened, 5000, 'opened without the CA')) as WebSocketError;
  assert.instance(error, WebSocketError);
  assert.is(error.closeCode, 1006);
  assert.match(String((error.cause as Error).message), /certificate/);
});

test.run();
