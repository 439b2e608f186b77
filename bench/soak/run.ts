/**
 * `npm run soak`: a steady mixed load on one wspipe server for SOAK_SECONDS (default 600),
 * then a check that nothing leaked and nothing was lost (not part of `npm test`).
 *
 * The server (server.ts, an esbuild bundle run with --expose-gc) and the load (client.ts:
 * SOAK_CONNECTIONS sessions of wspipe and ws clients, 0 B–1 MiB messages, text and binary,
 * compressed or not, fragmented or not, pings; sessions open and close all along) run in
 * their own processes. Every SOAK_SAMPLE_SECONDS (default 60) the server's RSS, V8 heap
 * after a full GC and handles are read. At the end the load stops (every session finishes
 * and closes with 1000), and the server must be back where it started: no connection, no
 * socket or timer beyond its listener, no message memory reserved, and its heap after GC
 * within SOAK_HEAP_SLACK_MB (default 8) of the first sample's.
 *
 * Environment: SOAK_SECONDS, SOAK_CONNECTIONS (default 32), SOAK_PACE_MS (default 100: the
 * longest pause between a session's messages), SOAK_SAMPLE_SECONDS, SOAK_SEED.
 */
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serverEntry } from '../echo/bundle.js';
import { Child, forkChild, numberFromEnv } from '../echo/processes.js';
import type { SoakClientReply, SoakClientRequest, SoakCounters } from './client.js';
import type { SoakServerReply, SoakServerRequest, SoakStats } from './server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const MiB = 2 ** 20;

interface Sample {
  seconds: number;
  stats: SoakStats;
  counters: SoakCounters;
}

function handles(stats: SoakStats): string {
  return Object.entries(stats.handles)
    .sort()
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
}

/**
 * Sockets, servers and timers, by type: what a leak would leave. Pipes are left out: the
 * IPC channel is one, and Node opens stdout's lazily during the run.
 */
function leakable(stats: SoakStats): string {
  return Object.entries(stats.handles)
    .filter(([type]) => type !== 'PipeWrap' && type !== 'TTYWrap')
    .sort()
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
}

function row(sample: Sample): string {
  const { stats, counters } = sample;
  return `| ${sample.seconds.toFixed(0)} s | ${stats.connections} | ${counters.sessions} | ${counters.echoed.toLocaleString('en-US')} | ${(counters.bytes / MiB).toFixed(0)} | ${counters.lost} | ${counters.mismatched} | ${(stats.rss / MiB).toFixed(1)} | ${(stats.heapUsed / MiB).toFixed(1)} | ${(stats.external / MiB).toFixed(1)} | ${(stats.messageMemory / 1024).toFixed(0)} | ${handles(stats)} |`;
}

export async function runSoak(): Promise<boolean> {
  const seconds = numberFromEnv('SOAK_SECONDS', 600);
  const connections = numberFromEnv('SOAK_CONNECTIONS', 32);
  const paceMs = numberFromEnv('SOAK_PACE_MS', 100);
  const sampleSeconds = Math.max(1, numberFromEnv('SOAK_SAMPLE_SECONDS', 60));
  const slackMb = numberFromEnv('SOAK_HEAP_SLACK_MB', 8);
  const seed = numberFromEnv('SOAK_SEED', randomInt(0, 2 ** 31 - 1));
  console.log(`soak: ${seconds} s, ${connections} sessions at a time, pace ≤ ${paceMs} ms, seed ${seed}; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);

  const entry = await serverEntry(`${here}server.ts`);
  const server = new Child<SoakServerReply>('soak server', forkChild(entry.script, [], [...entry.execArgv, '--expose-gc'], process.env, connections * 4 + 1000));
  const client = new Child<SoakClientReply>('soak load', forkChild(`${here}client.ts`, [], ['--import', 'tsx'], process.env, connections * 4 + 1000));
  const stats = async (gc: boolean): Promise<SoakStats> => (await server.ask({ type: 'stats', gc } satisfies SoakServerRequest, 'stats', 30_000)).stats;
  const progress = async (): Promise<SoakCounters> => (await client.ask({ type: 'progress' } satisfies SoakClientRequest, 'progress', 30_000)).counters;
  try {
    const { port } = await server.next('listening');
    const before = await stats(true);
    client.send({ type: 'start', port, connections, paceMs, seed } satisfies SoakClientRequest);
    const began = performance.now();
    const samples: Sample[] = [];
    const header = '| time | connections | sessions so far | messages echoed | MiB echoed | lost | wrong | RSS MiB | heap after GC MiB | external MiB | message memory KiB | handles |\n|---|---|---|---|---|---|---|---|---|---|---|---|';
    console.log(`\n${header}`);
    console.log(row({ seconds: 0, stats: before, counters: await progress() }));
    for (let at = sampleSeconds; at <= seconds; at += sampleSeconds) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, began + at * 1000 - performance.now())));
      const sample = { seconds: (performance.now() - began) / 1000, stats: await stats(true), counters: await progress() };
      samples.push(sample);
      console.log(row(sample));
    }
    const stopped = await client.ask({ type: 'stop' } satisfies SoakClientRequest, 'stopped', 120_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = await stats(true);
    const counters = stopped.counters;
    console.log(row({ seconds: (performance.now() - began) / 1000, stats: after, counters }) + ' ← after the load stopped');

    const first = samples[0] ?? { stats: before };
    const checks: Array<[string, boolean, string]> = [
      ['nothing lost', counters.lost === 0 && counters.mismatched === 0, `${counters.lost} lost, ${counters.mismatched} wrong of ${counters.sent} sent`],
      ['every session closed cleanly with 1000', counters.uncleanCloses === 0, `${counters.cleanCloses} clean, ${counters.uncleanCloses} not`],
      ['no connection left', after.connections === 0, `${after.connections}`],
      ['no message memory left', after.messageMemory === 0, `${after.messageMemory} bytes`],
      ['sockets and timers back to the start', leakable(after) === leakable(before), `${leakable(after)} (start: ${leakable(before)})`],
      [`heap after GC within ${slackMb} MiB of the first sample`, after.heapUsed - first.stats.heapUsed < slackMb * MiB, `${(first.stats.heapUsed / MiB).toFixed(1)} → ${(after.heapUsed / MiB).toFixed(1)} MiB`],
    ];
    console.log(`\n${counters.sent.toLocaleString('en-US')} messages (${(counters.bytes / MiB).toFixed(0)} MiB echoed) in ${counters.sessions} sessions, ${counters.pings} pings (${counters.pongs} pongs)`);
    for (const [name, ok, detail] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    for (const text of counters.errors) console.log(`  error: ${text}`);
    return checks.every(([, ok]) => ok);
  } finally {
    server.send({ type: 'stop' } satisfies SoakServerRequest);
    client.process.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    server.process.kill();
    entry.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!(await runSoak())) process.exitCode = 1;
}
