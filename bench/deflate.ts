/**
 * permessage-deflate throughput: `node --import tsx bench/deflate.ts`.
 *
 * One connection's worth of work: JSON-like text messages compressed by our Deflate stage
 * and inflated by our Inflate stage, beside `ws`'s PerMessageDeflate doing the same (one
 * instance per direction, calls in sequence as its Sender and Receiver make them).
 * MB/s counts uncompressed payload bytes through compress + decompress.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeflateCore, InflateCore, type MessagePart } from '../src/transforms/index.js';
import { passesPerSecond } from './measure.js';

export interface DeflateBenchRow {
  name: string;
  size: string;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Compressed bytes / payload bytes. */
  ratio: number;
}

const SIZES = [
  { label: '1 KiB', bytes: 1024 },
  { label: '16 KiB', bytes: 16 * 1024 },
  { label: '64 KiB', bytes: 64 * 1024 },
  { label: '1 MiB', bytes: 1024 * 1024 },
] as const;

/** Each pass moves about this much payload, as messages of one size. */
const PASS_BYTES = 1 << 20;

interface WsPerMessageDeflate {
  accept(configurations: Array<Record<string, string[]>>): unknown;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  cleanup(): void;
}
type WsPerMessageDeflateClass = new (options: { threshold?: number; isServer?: boolean; maxPayload?: number }) => WsPerMessageDeflate;

/**
 * Distinct messages of `bytes` each (repeating one message would let context takeover
 * turn every copy into a few back-references), cut from one long JSON-like text.
 */
export function jsonPayloads(bytes: number, count: number): Buffer[] {
  const text = jsonPayload(bytes * count + 1);
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) messages.push(text.subarray(i * bytes, (i + 1) * bytes));
  return messages;
}

/** Deterministic JSON-like text: records with ids, names, numbers and tags. */
export function jsonPayload(bytes: number, seed = 42): Buffer {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const words = ['alpha', 'beta', 'gamma', 'delta', 'price', 'quantity', 'user', 'session', 'ok', 'true', 'false', 'null'];
  let text = '';
  while (text.length < bytes) {
    text += `{"id":${Math.floor(random() * 1e6)},"name":"${words[Math.floor(random() * words.length)]}","value":${(random() * 1000).toFixed(2)},"tags":["${words[Math.floor(random() * words.length)]}"]},`;
  }
  return Buffer.from(text.slice(0, bytes));
}

function settle(core: InflateCore | DeflateCore): Promise<void> {
  return new Promise((resolve, reject) => core.whenSettled((error) => (error ? reject(error) : resolve())));
}

/** Our stages: a pass accepts every message, then waits for the stage to settle. */
function oursPass(payloads: Buffer[]): { pass: () => Promise<void>; ratio: () => number; close: () => void } {
  let compressedBytes = 0;
  let inflatedBytes = 0;
  const inflate = new InflateCore({ maxPayload: 1 << 30 }, { accept: (part) => void (inflatedBytes += part.data.length) });
  const deflate = new DeflateCore({ threshold: 0 }, { accept: (part) => parts.push(part) });
  let parts: MessagePart[] = [];
  return {
    pass: async () => {
      for (const payload of payloads) deflate.accept({ kind: 'text', rsv: 0, data: payload, last: true });
      await settle(deflate);
      const compressed = parts;
      parts = [];
      for (const part of compressed) {
        compressedBytes += part.data.length;
        inflate.accept(part);
      }
      await settle(inflate);
    },
    ratio: () => compressedBytes / Math.max(1, inflatedBytes),
    close: () => {
      deflate.close();
      inflate.close();
    },
  };
}

function wsPass(payloads: Buffer[]): { pass: () => Promise<void>; ratio: () => number; close: () => void } {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const PerMessageDeflate = require(join(require.resolve('ws'), '..', 'lib', 'permessage-deflate.js')) as WsPerMessageDeflateClass;
  const sender = new PerMessageDeflate({ threshold: 0, isServer: true });
  sender.accept([{}]);
  const receiver = new PerMessageDeflate({ threshold: 0, isServer: false, maxPayload: 1 << 30 });
  receiver.accept([{}]);
  let compressedBytes = 0;
  let inflatedBytes = 0;
  const call = (run: (callback: (error: Error | null, result?: Buffer) => void) => void) =>
    new Promise<Buffer>((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result!))));
  return {
    pass: async () => {
      const compressed: Buffer[] = [];
      for (const payload of payloads) compressed.push(await call((callback) => sender.compress(payload, true, callback)));
      for (const data of compressed) {
        compressedBytes += data.length;
        inflatedBytes += (await call((callback) => receiver.decompress(data, true, callback))).length;
      }
    },
    ratio: () => compressedBytes / Math.max(1, inflatedBytes),
    close: () => {
      sender.cleanup();
      receiver.cleanup();
    },
  };
}

export async function runDeflateBench(seconds = Number(process.env['BENCH_SECONDS'] ?? 1)): Promise<DeflateBenchRow[]> {
  const rows: DeflateBenchRow[] = [];
  for (const size of SIZES) {
    const count = Math.max(1, Math.floor(PASS_BYTES / size.bytes));
    const payloads = jsonPayloads(size.bytes, count);
    for (const [name, make] of [['wspipe', oursPass], ['ws', wsPass]] as const) {
      const runner = make(payloads);
      const passes = await passesPerSecond(runner.pass, seconds);
      rows.push({
        name,
        size: size.label,
        messagesPerSecond: passes * count,
        megabytesPerSecond: (passes * count * size.bytes) / 1e6,
        ratio: runner.ratio(),
      });
      runner.close();
    }
  }
  return rows;
}

export function formatDeflateRows(rows: DeflateBenchRow[]): string {
  const lines = ['| implementation | size | messages/s | MB/s | compressed/original | × ws |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const ws = rows.find((candidate) => candidate.name === 'ws' && candidate.size === row.size);
    const versus = ws ? `${(row.megabytesPerSecond / ws.megabytesPerSecond).toFixed(2)}×` : '–';
    lines.push(`| ${row.name} | ${row.size} | ${row.messagesPerSecond.toFixed(0)} | ${row.megabytesPerSecond.toFixed(1)} | ${row.ratio.toFixed(3)} | ${versus} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log('## permessage-deflate: compress + decompress, JSON-like text, one connection\n');
  console.log(formatDeflateRows(await runDeflateBench()));
}
