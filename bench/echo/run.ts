/**
 * Echo benchmark: our echo server (`startEchoServer`) against a `ws` echo server, each in
 * its own process, driven by the same load generator in a third process (client.ts).
 * Run by `npm run bench` (all) or `npm run bench echo`, or alone:
 * `node --import tsx bench/echo/run.ts`.
 *
 * Each row (payload size × connections) gets a fresh pair of server processes; runs
 * alternate between them (ours, ws, ours, ws, ...); the median of each side is reported,
 * the ratio as the median of the back-to-back pairs, with each server's CPU time per
 * message and peak RSS over the row (VmHWM).
 *
 * Environment:
 * - BENCH_SECONDS: measured seconds per run (default 0.6); each run also warms up first.
 * - BENCH_ECHO_RUNS: runs per server and row (default 5): many short alternated runs
 *   resist a noisy machine better than a few long ones.
 * - BENCH_ECHO_SIZES: payload sizes in bytes to run, e.g. `32,1024` (default all four).
 * - BENCH_ECHO_CONNECTIONS: connection counts, e.g. `50` (default `1,50`).
 * - BENCH_ECHO_WS_NO_BUFFERUTIL=1: run `ws` without its native addon (default: as
 *   installed, which loads bufferutil when it is present).
 * - BENCH_ECHO_CPU_PROF=DIR: run the servers with `--cpu-prof`, profiles in DIR/<server>-<row>/
 *   (the largest file is the main thread's; top-functions.ts summarizes them).
 * - BENCH_ECHO_OURS_OPTIONS='{"idleTimeout":0}': more options for our server (JSON), to
 *   measure what one costs.
 * - BENCH_ECHO_TSX=1: run the servers through tsx instead of as an esbuild bundle.
 * - BENCH_ECHO_CEILING=1: also run, once per row, a raw TCP echo (bytes piped back, no
 *   WebSocket work): what the load generator and loopback can do, to show that neither is
 *   the bottleneck.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SIZES } from '../frames.js';
import { formatRate } from '../measure.js';
import { serverEntry } from './bundle.js';
import type { ClientMessage } from './client.js';
import {
  Child,
  delay,
  forkChild,
  formatBytes,
  formatCpu,
  listFromEnv,
  median,
  runOnce,
  startServer,
  stopServer,
  wsBaseline,
  type Implementation,
  type Server,
} from './processes.js';

export interface EchoRow {
  size: string;
  bytes: number;
  connections: number;
  window: number;
  /** Messages per second of every run, in run order. */
  runs: Partial<Record<Implementation, number[]>>;
  median: Partial<Record<Implementation, number>>;
  peakRss: Partial<Record<Implementation, number>>;
  /** Median server CPU over the measured intervals, as a fraction of one core. */
  serverCpu: Partial<Record<Implementation, number>>;
  /** Median client CPU over the measured intervals, while driving each server. */
  clientCpu: Partial<Record<Implementation, number>>;
  target: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** Pause between runs, so that one run's teardown does not spill into the next. */
const SETTLE_MS = 100;

/** Messages in flight per connection: enough to keep the pipe full, bounded for large ones. */
export function windowFor(bytes: number): number {
  if (bytes <= 1024) return 32;
  if (bytes <= 64 * 1024) return 4;
  return 2;
}

/** The bar from the project brief: ≥ 1.2× ws on small messages, ≥ 1.0× on large ones. */
export function targetFor(bytes: number): number {
  return bytes <= 1024 ? 1.2 : 1.0;
}

/**
 * wspipe / ws: the median of the ratios of runs made back to back (on a shared, noisy
 * machine the load drifts between runs; a pair run back to back sees about the same), and
 * the range of those ratios.
 */
function ratios(row: EchoRow): { ratio: number; pairedMin: number; pairedMax: number } {
  const ws = row.runs.ws ?? [];
  const paired = (row.runs.ours ?? []).map((rate, index) => rate / ws[index]!);
  return { ratio: median(paired), pairedMin: Math.min(...paired), pairedMax: Math.max(...paired) };
}

/** Server CPU time per echoed message, in µs: less disturbed than rates by other load. */
function cpuPerMessage(row: EchoRow, implementation: Implementation): string {
  const cpu = row.serverCpu[implementation];
  const rate = row.median[implementation];
  if (cpu === undefined || rate === undefined || !Number.isFinite(cpu)) return '–';
  const micros = (cpu / rate) * 1e6;
  return micros >= 100 ? micros.toFixed(0) : micros >= 10 ? micros.toFixed(1) : micros.toFixed(2);
}

export function printEchoTable(rows: EchoRow[], runs: number, seconds: number, loader: string): void {
  const baseline = wsBaseline();
  const ceiling = rows.some((row) => row.median.tcp !== undefined);
  console.log(`\n## Echo server: binary messages over 127.0.0.1, wspipe vs ${baseline}\n`);
  console.log(
    `msg/s: messages echoed per second, median of ${runs} runs of ${seconds} s per server, alternating wspipe, ws, wspipe, ws, …. ` +
      `wspipe / ws: median of the ratios of the runs made back to back (range beside it). ` +
      `CPU µs/msg: server CPU time per echoed message (less disturbed by other load than msg/s). ` +
      `Peak RSS: VmHWM of each server process over its row. Load gen: the load generator's CPU share of one core. ` +
      `Servers run as ${loader === 'tsx' ? 'TypeScript through tsx (its loader adds ~25 MiB of RSS)' : 'plain JavaScript (an esbuild bundle of bench/echo/server.ts)'}.` +
      (ceiling ? ' TCP ceiling: the same load against a server that pipes the bytes back (no WebSocket work), one run.' : '') +
      '\n',
  );
  const header = ['size', 'conns × window', 'wspipe msg/s', 'ws msg/s', 'wspipe / ws', 'range', 'target', 'met', 'wspipe MB/s', 'CPU µs/msg wspipe / ws', 'peak RSS wspipe / ws', 'load gen CPU'];
  if (ceiling) header.push('TCP ceiling msg/s');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const { ratio, pairedMin, pairedMax } = ratios(row);
    const cells = [
      row.size,
      `${row.connections} × ${row.window}`,
      formatRate(row.median.ours!),
      formatRate(row.median.ws!),
      `**${ratio.toFixed(2)}×**`,
      `${pairedMin.toFixed(2)}–${pairedMax.toFixed(2)}`,
      `≥ ${row.target.toFixed(1)}×`,
      ratio >= row.target ? 'yes' : '**no**',
      ((row.median.ours! * row.bytes) / 1e6).toFixed(0),
      `${cpuPerMessage(row, 'ours')} / ${cpuPerMessage(row, 'ws')}`,
      `${formatBytes(row.peakRss.ours)} / ${formatBytes(row.peakRss.ws)}`,
      `${formatCpu(row.clientCpu.ours)} / ${formatCpu(row.clientCpu.ws)}`,
    ];
    if (ceiling) cells.push(row.median.tcp === undefined ? '–' : formatRate(row.median.tcp));
    console.log(`| ${cells.join(' | ')} |`);
  }
  const missed = rows.filter((row) => ratios(row).ratio < row.target);
  console.log(
    `\nTargets (≥ 1.2× ws up to 1 KiB, ≥ 1.0× above) met: ${rows.length - missed.length}/${rows.length}` +
      (missed.length > 0 ? `; missed: ${missed.map((row) => `${row.size} × ${row.connections}`).join(', ')}` : ''),
  );
}

export async function runEchoBench(): Promise<EchoRow[]> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 0.6);
  const runs = Number(process.env.BENCH_ECHO_RUNS ?? 5);
  const sizeFilter = listFromEnv('BENCH_ECHO_SIZES');
  const sizes = SIZES.filter((size) => !sizeFilter || sizeFilter.includes(size.bytes));
  const connectionCounts = listFromEnv('BENCH_ECHO_CONNECTIONS') ?? [1, 50];
  const withCeiling = process.env.BENCH_ECHO_CEILING === '1';
  if (process.env.BENCH_ECHO_CPU_PROF) mkdirSync(resolve(process.env.BENCH_ECHO_CPU_PROF), { recursive: true });

  const entry = await serverEntry();
  const client = new Child<ClientMessage>('load generator', forkChild(`${here}client.ts`, [], ['--import', 'tsx'], process.env));
  const rows: EchoRow[] = [];
  const began = performance.now();
  try {
    for (const size of sizes) {
      for (const connections of connectionCounts) {
        const window = windowFor(size.bytes);
        const row: EchoRow = {
          size: size.label,
          bytes: size.bytes,
          connections,
          window,
          runs: {},
          median: {},
          peakRss: {},
          serverCpu: {},
          clientCpu: {},
          target: targetFor(size.bytes),
        };
        const serverCpu: Partial<Record<Implementation, number[]>> = {};
        const clientCpu: Partial<Record<Implementation, number[]>> = {};
        const measure = async (server: Server, warmupSeconds: number): Promise<void> => {
          await delay(SETTLE_MS);
          const result = await runOnce(client, server, {
            port: server.port,
            size: size.bytes,
            connections,
            window,
            warmupSeconds,
            seconds,
            probe: server.implementation !== 'tcp',
          });
          const implementation = server.implementation;
          (row.runs[implementation] ??= []).push(result.messagesPerSecond);
          (serverCpu[implementation] ??= []).push(result.serverCpu);
          (clientCpu[implementation] ??= []).push(result.clientCpu);
        };
        const stop = async (servers: Server[]): Promise<void> => {
          const memories = await Promise.all(servers.map((server) => stopServer(server)));
          servers.forEach((server, index) => (row.peakRss[server.implementation] = memories[index]!.hwm));
        };

        // A fresh pair of processes per row; the first run of each also warms up its JIT.
        const tag = `${size.bytes}B-x${connections}`;
        const pair = await Promise.all((['ours', 'ws'] as const).map((implementation) => startServer(entry, implementation, { profileName: `${implementation}-${tag}` })));
        try {
          for (let run = 0; run < runs; run++) {
            for (const server of pair) await measure(server, run === 0 ? 0.5 : 0.15);
          }
        } finally {
          await stop(pair);
        }
        if (withCeiling) {
          const tcp = await startServer(entry, 'tcp');
          try {
            await measure(tcp, 0.3);
          } finally {
            await stop([tcp]);
          }
        }

        for (const implementation of Object.keys(row.runs) as Implementation[]) {
          row.median[implementation] = median(row.runs[implementation]!);
          row.serverCpu[implementation] = median(serverCpu[implementation]!);
          row.clientCpu[implementation] = median(clientCpu[implementation]!);
        }
        rows.push(row);
        const list = (implementation: Implementation): string => (row.runs[implementation] ?? []).map(formatRate).join(', ');
        console.log(
          `echo ${size.label} × ${connections} (window ${window}): wspipe ${list('ours')} | ws ${list('ws')}` +
            (withCeiling ? ` | tcp ${list('tcp')}` : '') +
            ` → ${ratios(row).ratio.toFixed(2)}×`,
        );
      }
    }
  } finally {
    client.process.disconnect();
    entry.cleanup();
  }
  printEchoTable(rows, runs, seconds, entry.loader);
  console.log(`\n(echo section: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEchoBench();
}
