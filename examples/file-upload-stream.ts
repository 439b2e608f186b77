/**
 * A file upload over a WebSocket, streamed to disk with Web Streams at both ends: the
 * client's WebSocketStream takes the file as it is read, the server pipes its
 * connection's readable through a TransformStream (it counts and hashes each chunk) into
 * the destination file. Backpressure runs the whole way — the disk slows the server's
 * reading, the unread socket slows the client's writes, and those slow the reading of
 * the source file — so memory stays bounded however big the file is.
 *
 * The client sends the file as binary messages, then the text message 'end'; the server
 * answers with what it wrote ({ bytes, sha256 }) and closes.
 * Run: node --import tsx examples/file-upload-stream.ts [size in MiB, default 128]
 */
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { TransformStream, type ReadableStream, type WritableStream } from 'node:stream/web';
import { createServer, WebSocketStream } from '../src/index.js';

const MiB = 1 << 20;
const size = Number(process.argv[2] ?? 128) * MiB;
const dir = await mkdtemp(join(tmpdir(), 'wspipe-upload-'));
const source = join(dir, 'source.bin');
const destination = join(dir, 'uploaded.bin');

// The server: each upload goes through a TransformStream into the destination file.
const server = createServer({ host: '127.0.0.1', port: 0 }, (connection) => {
  const { readable, writable } = connection.stream();
  const hash = createHash('sha256');
  let bytes = 0;
  const untilEnd = new TransformStream<string | Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (typeof chunk === 'string') {
        if (chunk === 'end') controller.terminate(); // the upload is complete
        return;
      }
      hash.update(chunk);
      bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const file = Writable.toWeb(createWriteStream(destination)) as WritableStream<Uint8Array>;
  // preventCancel: the connection stays open after 'end', for the answer.
  void readable
    .pipeThrough(untilEnd, { preventCancel: true })
    .pipeTo(file)
    .then(async () => {
      const writer = writable.getWriter();
      await writer.write(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
      await writer.close();
    });
});
await new Promise<void>((resolve) => server.once('listening', () => resolve()));

// A source file of `size` random bytes, and its digest.
const expected = createHash('sha256');
const handle = await open(source, 'w');
const block = Buffer.alloc(4 * MiB);
for (let written = 0; written < size; written += block.length) {
  randomFillSync(block);
  expected.update(block);
  await handle.write(block);
}
await handle.close();

// The client: the file into the writable, then 'end'; the answer from the readable.
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
const wss = new WebSocketStream(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
const { readable, writable } = await wss.opened;
const file: ReadableStream<Uint8Array> = Readable.toWeb(createReadStream(source, { highWaterMark: 256 * 1024 }));
await file.pipeTo(writable, { preventClose: true });
const writer = writable.getWriter();
await writer.write('end');
writer.releaseLock();
const answer = await readable.getReader().read();
const report = JSON.parse(answer.value as string) as { bytes: number; sha256: string };
await wss.closed;
clearInterval(sampler);

const digest = expected.digest('hex');
console.log(`uploaded ${report.bytes} of ${size} bytes, sha256 ${report.sha256 === digest ? 'matches' : 'DIFFERS'}`);
console.log(`peak RSS growth during the upload: ${((peak - before) / MiB).toFixed(1)} MiB`);
server.close();
await rm(dir, { recursive: true, force: true });
