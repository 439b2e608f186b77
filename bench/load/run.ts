/**
 * `npm run load`: many connections to one server process, wspipe and then `ws` under the
 * same load generators in the same run (not part of `npm test`; bounded by LOAD_SECONDS).
 *
 * For each server (bench/echo/server.ts, an esbuild bundle, in its own process with
 * --expose-gc and enough file descriptors): LOAD_GENERATORS generator processes
 * (generator.ts) open LOAD_CONNECTIONS connections between them; the server's memory is
 * read idle (after a full GC) before and after they open, which gives the RSS per idle
 * connection; then for LOAD_SECONDS every connection sends a numbered message a second and
 * checks its echo while LOAD_CHURN connections a second open, exchange one message and
 * close; the server's CPU and RSS are read over that time; finally every connection closes
 * with the close handshake.
 *
 * The servers take turns for LOAD_ROUNDS rounds (default 2; wspipe first, then ws first):
 * on a shared machine one run can fall on a busy moment, so the summary merges the rounds'
 * latency histograms and takes the median of the rest.
 *
 * Environment: LOAD_CONNECTIONS (default 10000), LOAD_SECONDS (30), LOAD_CHURN (100 a
 * second), LOAD_GENERATORS (2), LOAD_ROUNDS (2), LOAD_SERVERS (`ours,ws`).
 */
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serverEntry } from '../echo/bundle.js';
import { Child, forkChild, median, numberFromEnv, openFileLimits, readServerCpu, serverMemory, startServer, stopServer, wsBaseline, type Server } from '../echo/processes.js';
import type { ServerMemory } from '../echo/server.js';
import type { GeneratorReply, GeneratorRequest, TrafficReport } from './generator.js';
import { Histogram } from './histogram.js';
import { formatMicros } from '../measure.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const MiB = 2 ** 20;

export interface LoadRow {
  server: 'ours' | 'ws';
  round: number;
  connections: number;
  openSeconds: number;
  idle: ServerMemory;
  opened: ServerMemory;
  peakRss: number;
  /** RSS after the traffic, once idle again (after a full GC). */
  after: ServerMemory;
  serverCpu: number;
  generatorCpu: number;
  sent: number;
  lost: number;
  wrong: number;
  dropped: number;
  latency: Histogram;
  churned: number;
  churnFailed: number;
  churnLatency: Histogram;
  closedClean: number;
  closedUnclean: number;
}

async function ask<T extends GeneratorReply['type']>(child: Child<GeneratorReply>, request: GeneratorRequest, type: T, ms: number): Promise<Extract<GeneratorReply, { type: T }>> {
  return child.ask(request, type, ms);
}

async function runServer(
  entry: Awaited<ReturnType<typeof serverEntry>>,
  implementation: 'ours' | 'ws',
  round: number,
  settings: { connections: number; seconds: number; churn: number; generators: number },
): Promise<LoadRow> {
  const files = settings.connections + Math.ceil(settings.churn * 2) + 2000;
  const server: Server = await startServer(entry, implementation, { execArgv: ['--expose-gc'], openFiles: files });
  const generators: Array<Child<GeneratorReply>> = [];
  try {
    const perGenerator = Math.ceil(settings.connections / settings.generators);
    for (let i = 0; i < settings.generators; i++) {
      generators.push(new Child<GeneratorReply>(`load generator ${i}`, forkChild(`${here}generator.ts`, [], ['--import', 'tsx'], process.env, perGenerator + 2000)));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = await serverMemory(server, true);
    const began = performance.now();
    await Promise.all(
      generators.map((generator, index) =>
        ask(generator, { type: 'open', port: server.port, connections: Math.min(perGenerator, settings.connections - index * perGenerator), firstId: index * perGenerator }, 'opened', 120_000),
      ),
    );
    const openSeconds = (performance.now() - began) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const opened = await serverMemory(server, true);
    console.log(`  ${implementation}: ${settings.connections} connections open in ${openSeconds.toFixed(1)} s; RSS ${(idle.rss / MiB).toFixed(0)} → ${(opened.rss / MiB).toFixed(0)} MiB`);

    let peakRss = opened.rss;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        if (sampling) peakRss = Math.max(peakRss, (await serverMemory(server, false)).rss);
      }
    })();
    const cpuBefore = await readServerCpu(server);
    const cpuAt = performance.now();
    const reports = await Promise.all(generators.map((generator) => ask(generator, { type: 'traffic', seconds: settings.seconds, churnPerSecond: settings.churn / settings.generators }, 'report', (settings.seconds + 60) * 1000)));
    const cpuAfter = await readServerCpu(server);
    const serverCpu = (cpuAfter.total - cpuBefore.total) / ((performance.now() - cpuAt) / 1000);
    sampling = false;
    await sampler;
    const after = await serverMemory(server, true);
    const closed = await Promise.all(generators.map((generator) => ask(generator, { type: 'close' }, 'closed', 60_000)));

    const latency = new Histogram();
    const churnLatency = new Histogram();
    const sum = (pick: (report: TrafficReport) => number): number => reports.reduce((total, { report }) => total + pick(report), 0);
    for (const { report } of reports) {
      latency.merge(report.latency);
      churnLatency.merge(report.churnLatency);
    }
    return {
      server: implementation,
      round,
      connections: settings.connections,
      openSeconds,
      idle,
      opened,
      peakRss,
      after,
      serverCpu,
      generatorCpu: sum((report) => report.cpu),
      sent: sum((report) => report.sent),
      lost: sum((report) => report.lost),
      wrong: sum((report) => report.wrong),
      dropped: sum((report) => report.dropped),
      latency,
      churned: sum((report) => report.churned),
      churnFailed: sum((report) => report.churnFailed),
      churnLatency,
      closedClean: closed.reduce((total, reply) => total + reply.clean, 0),
      closedUnclean: closed.reduce((total, reply) => total + reply.unclean, 0),
    };
  } finally {
    for (const generator of generators) generator.process.kill();
    await stopServer(server).catch(() => {});
  }
}

export function printLoadTable(rows: LoadRow[], settings: { seconds: number; churn: number; generators: number }): void {
  console.log(
    `\n## Load: ${rows[0]?.connections ?? 0} connections, one message a second each, ${settings.churn} connections a second opening and closing, for ${settings.seconds} s\n`,
  );
  console.log(
    `${settings.generators} load generator processes; servers run one after the other, each alone, as plain JavaScript (an esbuild bundle), baseline ${wsBaseline()}. ` +
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. ` +
      `Latency: from the send to its echo, measured by the generator. RSS per connection: (RSS with every connection open − RSS before), both idle after a full GC.\n`,
  );
  const header = ['server', 'round', 'messages', 'lost', 'wrong', 'dropped', 'echo p50', 'p99', 'p99.9', 'max', 'churn ok / failed', 'churn p99', 'idle RSS', `RSS with ${rows[0]?.connections ?? 0}`, 'KiB / connection', 'peak RSS', 'RSS after', 'server CPU', 'generators CPU', 'closed clean'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const cells = [
      row.server === 'ours' ? 'wspipe' : 'ws',
      String(row.round),
      row.sent.toLocaleString('en-US'),
      `**${row.lost}**`,
      String(row.wrong),
      String(row.dropped),
      formatMicros(row.latency.percentile(0.5)),
      `**${formatMicros(row.latency.percentile(0.99))}**`,
      formatMicros(row.latency.percentile(0.999)),
      formatMicros(row.latency.max),
      `${row.churned} / ${row.churnFailed}`,
      formatMicros(row.churnLatency.percentile(0.99)),
      `${(row.idle.rss / MiB).toFixed(0)} MiB`,
      `${(row.opened.rss / MiB).toFixed(0)} MiB`,
      `**${((row.opened.rss - row.idle.rss) / 1024 / row.connections).toFixed(1)}**`,
      `${(row.peakRss / MiB).toFixed(0)} MiB`,
      `${(row.after.rss / MiB).toFixed(0)} MiB`,
      `${Math.round(row.serverCpu * 100)}%`,
      `${Math.round(row.generatorCpu * 100)}%`,
      `${row.closedClean} / ${row.closedClean + row.closedUnclean}`,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  printSummary(rows);
  console.log('\nheap used / committed after a full GC with every connection open: ' + rows.map((row) => `${row.server === 'ours' ? 'wspipe' : 'ws'} ${(row.opened.heapUsed / MiB).toFixed(1)} / ${(row.opened.heapTotal / MiB).toFixed(1)} MiB (${((row.opened.heapUsed - row.idle.heapUsed) / 1024 / row.connections).toFixed(2)} KiB used per connection)`).join('; '));
}

/** Per server over the rounds: losses summed, latency from the merged histograms, medians of the rest. */
function printSummary(rows: LoadRow[]): void {
  console.log('\nSummary over the rounds (latency from every round\'s samples; RSS and CPU: medians):\n');
  const header = ['server', 'messages', 'lost', 'echo p50', 'p99', 'p99.9', 'churn ok / failed', 'KiB / idle connection', 'peak RSS', 'server CPU'];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const server of ['ours', 'ws'] as const) {
    const mine = rows.filter((row) => row.server === server);
    if (mine.length === 0) continue;
    const latency = new Histogram();
    for (const row of mine) latency.merge(row.latency.toJSON());
    const cells = [
      server === 'ours' ? 'wspipe' : 'ws',
      mine.reduce((sum, row) => sum + row.sent, 0).toLocaleString('en-US'),
      `**${mine.reduce((sum, row) => sum + row.lost + row.wrong, 0)}**`,
      formatMicros(latency.percentile(0.5)),
      `**${formatMicros(latency.percentile(0.99))}**`,
      formatMicros(latency.percentile(0.999)),
      `${mine.reduce((sum, row) => sum + row.churned, 0)} / ${mine.reduce((sum, row) => sum + row.churnFailed, 0)}`,
      `**${median(mine.map((row) => (row.opened.rss - row.idle.rss) / 1024 / row.connections)).toFixed(1)}**`,
      `${(median(mine.map((row) => row.peakRss)) / MiB).toFixed(0)} MiB`,
      `${Math.round(median(mine.map((row) => row.serverCpu)) * 100)}%`,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

export async function runLoad(): Promise<LoadRow[]> {
  const settings = {
    connections: numberFromEnv('LOAD_CONNECTIONS', 10_000),
    seconds: numberFromEnv('LOAD_SECONDS', 30),
    churn: numberFromEnv('LOAD_CHURN', 100),
    generators: Math.max(1, numberFromEnv('LOAD_GENERATORS', 2)),
    rounds: Math.max(1, numberFromEnv('LOAD_ROUNDS', 2)),
  };
  const servers = (process.env.LOAD_SERVERS ?? 'ours,ws').split(',').map((name) => name.trim()) as Array<'ours' | 'ws'>;
  const limits = openFileLimits();
  console.log(`load: ${settings.connections} connections, ${settings.seconds} s, churn ${settings.churn}/s, ${settings.generators} generators, ${settings.rounds} rounds; open files (this process): soft ${limits?.soft ?? '?'}, hard ${limits?.hard ?? '?'}`);
  const entry = await serverEntry();
  const rows: LoadRow[] = [];
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      // Alternate who goes first: the first run after a quiet spell, or a busy one, is not always the same server's.
      const order = round % 2 === 1 ? servers : [...servers].reverse();
      for (const implementation of order) rows.push(await runServer(entry, implementation, round, settings));
    }
  } finally {
    entry.cleanup();
  }
  printLoadTable(rows, settings);
  const lost = rows.reduce((total, row) => total + row.lost + row.wrong, 0);
  if (lost > 0) process.exitCode = 1;
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runLoad();
}
