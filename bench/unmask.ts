/**
 * Unmask throughput: `node --import tsx bench/unmask.ts`.
 *
 * Rows: the memcpy ceiling, a byte loop (what `ws` does without its addon), our
 * `unmask` (WebAssembly SIMD staged through wasm memory, both copies included), our
 * plain-JS kernel, the wasm XOR alone on data already in wasm memory (not achievable
 * for a Buffer, shown to price the copies), and bufferutil's native addon.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { simdMaskAvailable, unmask, unmaskPortable } from '../src/transforms/mask.js';
import { createSimdXor } from '../src/transforms/mask.wasm.js';

export interface Row {
  name: string;
  /** Payload bytes per call. */
  size: number;
  /** Median throughput over the trials, in GB/s (10^9 bytes per second). */
  gbps: number;
  /** Best trial, in GB/s: less disturbed by a noisy machine. */
  bestGbps: number;
}

export interface UnmaskBenchOptions {
  /** Time spent on each (method, size) row, in ms. */
  rowMs?: number;
  sizes?: number[];
}

type Kernel = (data: Buffer) => void;

const KEY = 0x37fa213d;
const KEY_BYTES = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

interface BufferUtil {
  unmask(buffer: Buffer, mask: Buffer): void;
}

function loadBufferUtil(): BufferUtil | null {
  try {
    // No type declarations ship with bufferutil, hence require.
    return createRequire(import.meta.url)('bufferutil') as BufferUtil;
  } catch {
    return null;
  }
}

function byteLoop(data: Buffer): void {
  for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ KEY_BYTES[i & 3]!;
}

function kernels(): Array<[string, Kernel]> {
  const list: Array<[string, Kernel]> = [];
  let copyTarget = Buffer.alloc(0);
  list.push([
    'Buffer.copy (memcpy ceiling)',
    (data) => {
      if (copyTarget.length !== data.length) copyTarget = Buffer.alloc(data.length);
      data.copy(copyTarget);
    },
  ]);
  list.push(['JS byte loop', byteLoop]);
  list.push([simdMaskAvailable ? 'wspipe unmask (wasm SIMD + copies)' : 'wspipe unmask (no wasm: JS)', (data) => unmask(data, KEY, 0)]);
  list.push(['wspipe plain-JS kernel (BigUint64)', (data) => unmaskPortable(data, KEY, 0)]);
  const simd = createSimdXor();
  if (simd !== null) {
    list.push([
      'wasm XOR alone, no copies (not usable)',
      // Same bytes count, XORed in place 16 KiB at a time, as the real kernel's window.
      (data) => {
        for (let p = 0; p < data.length; p += 16384) simd.xor(0, Math.min(16384, data.length - p), 0x3d21fa37);
      },
    ]);
  }
  const bufferutil = loadBufferUtil();
  if (bufferutil !== null) {
    const native = /\[native code\]/.test(String(bufferutil.unmask));
    list.push([native ? 'bufferutil (native addon)' : 'bufferutil (its JS fallback)', (data) => bufferutil.unmask(data, KEY_BYTES)]);
  }
  return list;
}

function measure(kernel: Kernel, data: Buffer, rowMs: number): { median: number; best: number } {
  // Enough calls per trial that the clock is not what is measured.
  const calls = Math.max(1, Math.floor(256 * 1024 / data.length));
  const trialNs = 10e6;
  const warmUntil = process.hrtime.bigint() + BigInt(Math.floor(rowMs * 0.15 * 1e6));
  while (process.hrtime.bigint() < warmUntil) for (let i = 0; i < calls; i++) kernel(data);
  const rates: number[] = [];
  const end = process.hrtime.bigint() + BigInt(Math.floor(rowMs * 0.85 * 1e6));
  do {
    let n = 0;
    let elapsed = 0;
    const t0 = process.hrtime.bigint();
    do {
      for (let i = 0; i < calls; i++) kernel(data);
      n += calls;
      elapsed = Number(process.hrtime.bigint() - t0);
    } while (elapsed < trialNs);
    rates.push((n * data.length) / elapsed);
  } while (process.hrtime.bigint() < end);
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1]!, best: rates[rates.length - 1]! };
}

export async function runUnmaskBench(options: UnmaskBenchOptions = {}): Promise<Row[]> {
  const rowMs = options.rowMs ?? 300;
  const sizes = options.sizes ?? [1024, 64 * 1024, 1024 * 1024];
  const rows: Row[] = [];
  for (const [name, kernel] of kernels()) {
    for (const size of sizes) {
      // Frames sit after their header in the socket chunk: start at an unaligned offset.
      const data = Buffer.alloc(size + 16).subarray(6, 6 + size);
      const { median, best } = measure(kernel, data, rowMs);
      rows.push({ name, size, gbps: median, bestGbps: best });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return rows;
}

export function formatUnmaskRows(rows: Row[]): string {
  const sizes = [...new Set(rows.map((r) => r.size))];
  const names = [...new Set(rows.map((r) => r.name))];
  const label = (n: number): string => (n >= 1 << 20 ? `${n / (1 << 20)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
  const width = Math.max(...names.map((n) => n.length));
  const lines = [`${'unmask, GB/s median (best)'.padEnd(width)}  ${sizes.map((s) => label(s).padStart(14)).join('')}`];
  for (const name of names) {
    const cells = sizes.map((size) => {
      const row = rows.find((r) => r.name === name && r.size === size);
      return (row === undefined ? '-' : `${row.gbps.toFixed(2)} (${row.bestGbps.toFixed(1)})`).padStart(14);
    });
    lines.push(`${name.padEnd(width)}  ${cells.join('')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatUnmaskRows(await runUnmaskBench()));
}
