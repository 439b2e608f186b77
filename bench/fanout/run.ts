/**
 * Fan-out benchmark: one publisher, 1,000 subscribed connections, 1 KiB binary messages.
 * wspipe's topics (`server.publish`) against `ws` with the loop everyone writes
 * (`for (const client of wss.clients) … client.send(data)`), each server in its own
 * process (bench/fanout/server.ts), the subscribers in a third (subscribers.ts). Then the
 * same across two processes through one Redis (wspipe/redis). Run by `npm run bench`
 * (all) or `npm run bench -- fanout`, or alone: `node --import tsx bench/fanout/run.ts`.
 *
 * - Delivered messages per second: the publisher publishes as fast as the subscribers
 *   take it (a batch whenever the fullest send buffer is below 64 KiB); the subscribers
 *   count the frames they receive. Runs alternate between the servers.
 * - Publish-to-receive latency, p50 and p99: at a steady rate every contender sustains
 *   (half the slower one's delivered rate), read by 20 of the subscribers (ws clients,
 *   spread through the order the server writes in) from the publish time each message
 *   carries; runs alternate, and percentiles are over every sample.
 * - Through Redis: the messages per second one Redis carries from a publishing process to
 *   a subscribing one (XADD → XREAD, counted by a server-side listener), and the latency
 *   to 1,000 subscribers of the other process at the same steady rate.
 *
 * Environment: BENCH_FANOUT_SECONDS (measured seconds per run, default 3),
 * BENCH_FANOUT_RUNS (runs per server, default 2), BENCH_FANOUT_SUBSCRIBERS (default 1000),
 * BENCH_FANOUT_SIZE (payload bytes, default 1024), BENCH_FANOUT_REDIS=0 to skip Redis.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRedis } from '../../test/helpers/redis.js';
import { serverEntry, type ServerEntry } from '../echo/bundle.js';
import { Child, delay, forkChild, median, wsBaseline } from '../echo/processes.js';
import { formatMicros, formatRate } from '../measure.js';
import type { FanoutImplementation, FanoutReply, FanoutRequest } from './server.js';
import type { SubscribersReply, SubscribersRequest } from './subscribers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const PROBES = 20;
const WARMUP_SECONDS = 0.5;
const LATENCY_SECONDS = 4;
/** Latency runs per server: a stall of the (shared) machine in one run weighs less. */
const LATENCY_RUNS = 3;
const NAMES: Record<FanoutImplementation, string> = { ours: 'wspipe topics (server.publish)', ws: 'ws (for … of wss.clients)' };

interface Subscribed {
  server: Child<FanoutReply>;
  set: number;
}

function ask<T extends FanoutReply['type']>(server: Child<FanoutReply>, request: FanoutRequest, type: T, ms = 120_000): Promise<Extract<FanoutReply, { type: T }>> {
  return server.ask(request, type, ms);
}

async function startServer(entry: ServerEntry, implementation: FanoutImplementation, subscribers: number, redis?: { url: string; role: string }): Promise<{ child: Child<FanoutReply>; port: number }> {
  const args = [implementation, ...(redis ? [redis.url, redis.role] : [])];
  const child = new Child<FanoutReply>(`${implementation} fan-out server`, forkChild(entry.script, args, [...entry.execArgv, '--expose-gc'], process.env, subscribers + 200));
  const { port } = await child.next('listening');
  return { child, port };
}

async function subscribe(load: Child<SubscribersReply>, server: { child: Child<FanoutReply>; port: number }, count: number, size: number): Promise<Subscribed> {
  const { set } = await load.ask({ type: 'open', port: server.port, count, probes: PROBES, size } satisfies SubscribersRequest, 'opened', 60_000);
  for (let i = 0; i < 500; i++) {
    if ((await ask(server.child, { type: 'subscribers' }, 'subscribers')).count === count) return { server: server.child, set };
    await delay(10);
  }
  throw new Error(`${server.child.name}: not every connection subscribed`);
}

async function frames(load: Child<SubscribersReply>): Promise<number> {
  return (await load.ask({ type: 'frames' } satisfies SubscribersRequest, 'frames', 10_000)).count;
}

/** One saturation run: deliveries per second over `seconds` (after a warm-up), and what the server skipped. */
async function saturate(load: Child<SubscribersReply>, subscribed: Subscribed, seconds: number, size: number): Promise<{ rate: number; skipped: number }> {
  await ask(subscribed.server, { type: 'saturate', seconds: WARMUP_SECONDS, size }, 'published');
  await delay(100);
  const before = await frames(load);
  const start = performance.now();
  const { skipped } = await ask(subscribed.server, { type: 'saturate', seconds, size }, 'published');
  const after = await frames(load);
  const elapsed = (performance.now() - start) / 1000;
  await delay(200);
  return { rate: (after - before) / elapsed, skipped };
}

/** Publish-to-receive latencies (µs) of one steady run, as the probes saw them. */
async function latency(load: Child<SubscribersReply>, subscribed: Subscribed, publisher: Child<FanoutReply>, rate: number, size: number): Promise<number[]> {
  // The same start for every run: no garbage left from what ran before, a short warm-up at the rate.
  await ask(publisher, { type: 'gc' }, 'collected');
  await ask(publisher, { type: 'steady', rate, seconds: WARMUP_SECONDS, size }, 'published');
  await delay(100);
  load.send({ type: 'latency', set: subscribed.set, on: true } satisfies SubscribersRequest);
  await ask(publisher, { type: 'steady', rate, seconds: LATENCY_SECONDS, size }, 'published');
  await delay(200);
  return (await load.ask({ type: 'latency', set: subscribed.set, on: false } satisfies SubscribersRequest, 'latency', 10_000)).samples;
}

interface Percentiles {
  p50: number;
  p99: number;
  /** Each run's p99, in run order. */
  runP99: number[];
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function percentiles(runs: readonly number[][]): Percentiles {
  const all = runs.flat();
  return { p50: percentile(all, 50), p99: percentile(all, 99), runP99: runs.map((run) => percentile(run, 99)) };
}

export async function runFanoutBench(): Promise<void> {
  const seconds = Number(process.env.BENCH_FANOUT_SECONDS ?? 3);
  const runs = Number(process.env.BENCH_FANOUT_RUNS ?? 2);
  const count = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 1000);
  const size = Number(process.env.BENCH_FANOUT_SIZE ?? 1024);
  const began = performance.now();
  const entry = await serverEntry(`${here}server.ts`);
  const load = new Child<SubscribersReply>('subscribers', forkChild(`${here}subscribers.ts`, [], ['--import', 'tsx'], process.env, 3 * count + 200));
  const servers: Array<Child<FanoutReply>> = [];
  try {
    const contenders = {} as Record<FanoutImplementation, Subscribed>;
    for (const implementation of ['ours', 'ws'] as const) {
      const server = await startServer(entry, implementation, count);
      servers.push(server.child);
      contenders[implementation] = await subscribe(load, server, count, size);
    }
    const rates: Record<FanoutImplementation, number[]> = { ours: [], ws: [] };
    let skipped = 0;
    for (let run = 0; run < runs; run++) {
      for (const implementation of ['ours', 'ws'] as const) {
        const result = await saturate(load, contenders[implementation], seconds, size);
        rates[implementation].push(result.rate);
        if (implementation === 'ours') skipped = result.skipped;
      }
      console.log(`fanout run ${run + 1}: wspipe ${formatRate(rates.ours.at(-1)!)} | ws ${formatRate(rates.ws.at(-1)!)} deliveries/s`);
    }
    const medians = { ours: median(rates.ours), ws: median(rates.ws) };
    // Half of what the slower contender delivers at most: a rate both sustain.
    const steadyRate = Math.max(1, Math.floor((0.5 * Math.min(medians.ours, medians.ws)) / count));
    // Alternating too: the machine's load drifts, and each contender sees about the same.
    const samples: Record<FanoutImplementation, number[][]> = { ours: [], ws: [] };
    for (let run = 0; run < LATENCY_RUNS; run++) {
      for (const implementation of ['ours', 'ws'] as const) {
        samples[implementation].push(await latency(load, contenders[implementation], contenders[implementation].server, steadyRate, size));
      }
    }
    const latencies = { ours: percentiles(samples.ours), ws: percentiles(samples.ws) };
    for (const implementation of ['ours', 'ws'] as const) load.send({ type: 'close', set: contenders[implementation].set } satisfies SubscribersRequest);

    console.log(`\n## Fan-out: one publisher, ${count.toLocaleString('en')} subscribers, ${size} B binary messages, wspipe vs ${wsBaseline()}\n`);
    console.log(
      `Delivered msg/s: messages received per second by all subscribers together, publishing as fast as they take it ` +
        `(${runs} runs of ${seconds} s each, alternating; median, and each run). Latency: publish to receive, at ${steadyRate} messages/s ` +
        `(${(steadyRate * count).toLocaleString('en')} deliveries/s, half the slower contender's maximum), ${LATENCY_RUNS} runs of ${LATENCY_SECONDS} s each, alternating, ` +
        `read by ${PROBES} of the subscribers; percentiles of all their samples, and each run's p99. ` +
        `wspipe skipped ${skipped} deliveries for backpressure.\n`,
    );
    console.log('| server | delivered msg/s | runs | × ws | p50 latency | p99 latency | p99 of each run |');
    console.log('|---|---|---|---|---|---|---|');
    for (const implementation of ['ours', 'ws'] as const) {
      const lat = latencies[implementation];
      console.log(
        `| ${NAMES[implementation]} | ${formatRate(medians[implementation])} | ${rates[implementation].map(formatRate).join(', ')} | ` +
          `${implementation === 'ours' ? `**${(medians.ours / medians.ws).toFixed(2)}×**` : '1.00×'} | ${formatMicros(lat.p50)} | ${formatMicros(lat.p99)} | ${lat.runP99.map(formatMicros).join(', ')} |`,
      );
    }
    const target = medians.ours / medians.ws >= 3 && latencies.ours.p99 <= latencies.ws.p99;
    console.log(`\nTarget (≥ 3× ws delivered msg/s, p99 latency no worse): ${target ? 'met' : '**not met**'}`);

    if (process.env.BENCH_FANOUT_REDIS !== '0') await redisSection(entry, load, servers, count, size, seconds, steadyRate);
  } finally {
    for (const server of servers) server.send({ type: 'stop' } satisfies FanoutRequest);
    load.process.disconnect();
    entry.cleanup();
  }
  console.log(`\n(fanout section: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
}

/** Two wspipe processes and one Redis: the rate one Redis carries, and latency to the other process's subscribers. */
async function redisSection(entry: ServerEntry, load: Child<SubscribersReply>, servers: Array<Child<FanoutReply>>, count: number, size: number, seconds: number, steadyRate: number): Promise<void> {
  const redis = await startRedis();
  try {
    const subscriberSide = await startServer(entry, 'ours', count, { url: redis.url, role: 'subscriber' });
    const publisherSide = await startServer(entry, 'ours', 0, { url: redis.url, role: 'publisher' });
    servers.push(subscriberSide.child, publisherSide.child);
    const arrived = async (): Promise<number> => (await ask(subscriberSide.child, { type: 'arrived' }, 'arrived')).count;
    await ask(publisherSide.child, { type: 'saturate', seconds: WARMUP_SECONDS, size }, 'published');
    await delay(300);
    const before = await arrived();
    const start = performance.now();
    const { count: published } = await ask(publisherSide.child, { type: 'saturate', seconds, size }, 'published');
    const carried = (await arrived()) - before;
    const rate = carried / ((performance.now() - start) / 1000);
    const subscribed = await subscribe(load, subscriberSide, count, size);
    const lat = percentiles([await latency(load, subscribed, publisherSide.child, steadyRate, size)]);
    load.send({ type: 'close', set: subscribed.set } satisfies SubscribersRequest);
    console.log(`\n## Across processes through one Redis (wspipe/redis, redis-server on this machine)\n`);
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| messages/s one Redis carries from a publishing process to a subscribing one (XADD → XREAD, ${size} B, ${seconds} s) | ${formatRate(rate)} (${published.toLocaleString('en')} published) |`);
    console.log(`| publish-to-receive latency to ${count.toLocaleString('en')} subscribers of the other process, at ${steadyRate} msg/s: p50 / p99 | ${formatMicros(lat.p50)} / ${formatMicros(lat.p99)} |`);
  } finally {
    await redis.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runFanoutBench();
}
