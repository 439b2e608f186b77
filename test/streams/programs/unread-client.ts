/**
 * The client of test/streams/receive-memory.test.ts, in a process of its own so that the
 * memory measured is its own: a WebSocketStream that opens and reads nothing until it is
 * told to (a line on stdin), then reads every message, checking their order.
 *
 * Usage: node --import tsx test/streams/programs/unread-client.ts URL READABLE_HIGH_WATER_MARK COUNT
 * Prints `open`, then on the first stdin line `idle <rss before> <peak rss while not reading>`,
 * then `done <messages> <bytes> <sha256 of all payloads> <in order>`; exits 0 after a clean close.
 */
import { createHash } from 'node:crypto';
import { WebSocketStream } from '../../../src/index.js';

const [url, highWaterMark, count] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
const wss = new WebSocketStream(url, {}, { readableHighWaterMark: highWaterMark, perMessageDeflate: false });
const { readable } = await wss.opened;
console.log('open');
process.stdin.setEncoding('utf8');
await new Promise((resolve) => process.stdin.once('data', resolve));
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
console.log(`idle ${before} ${peak}`);
const hash = createHash('sha256');
let messages = 0;
let bytes = 0;
let inOrder = true;
const reader = readable.getReader();
while (messages < count) {
  const { value, done } = await reader.read();
  if (done) break;
  const message = value as Uint8Array;
  if (Buffer.from(message.buffer, message.byteOffset, message.byteLength).readUInt32BE(0) !== messages) inOrder = false;
  hash.update(message);
  bytes += message.byteLength;
  messages++;
}
console.log(`done ${messages} ${bytes} ${hash.digest('hex')} ${inOrder}`);
wss.close({ closeCode: 1000 });
await wss.closed;
process.stdin.destroy();
