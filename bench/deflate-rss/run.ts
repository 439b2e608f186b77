/**
 * Server memory with many compressing connections: `npm run bench deflate-rss`, or alone
 * `node --import tsx bench/deflate-rss/run.ts`.
 *
 * For each case, a fresh echo server (bench/echo/server.ts, ours or ws, run with
 * `--expose-gc`) in a child process, and 1,000 connections from another process
 * (client.ts) that negotiate permessage-deflate and exchange a few compressible messages
 * each, so that the server's zlib contexts exist in both directions and have been used.
 * The server's memory is read from /proc/PID/status (VmRSS, VmHWM) when idle, after the
 * exchange, after a full GC, and after the clients have gone and another GC. Cases (ours
 * and ws alternate):
 * - `deflate`: `perMessageDeflate: true`, a browser's offer (context takeover both ways);
 * - `no context`: `serverNoContextTakeover: true`, and the client offers
 *   client_no_context_takeover too: no zlib state needs to live between messages;
 * - `plain`: no permessage-deflate, the same text uncompressed: the cost of a connection
 *   without zlib, which the other rows are compared with.
 *
 *
 * Then, without sockets (stages.ts, one fresh process per row): the zlib stages of 1,000
 * connections alone, ours (InflateCore + DeflateCore) and ws's (PerMessageDeflate), with
 * and without context takeover, beside a sketch of a stream pool for the no-context case.
 * They are skipped when less than 10 s of the deadline is left.
 *
 * Environment: BENCH_DEFLATE_RSS_CONNECTIONS (default 1000), BENCH_DEFLATE_RSS_SIZE
 * (payload bytes, default 16384), BENCH_DEFLATE_RSS_MESSAGES (per connection, default 4),
 * BENCH_DEFLATE_RSS_CASES (e.g. `deflate,plain`; default all three),
 * BENCH_DEFLATE_RSS_STAGES=0 to skip the stage rows. The whole section stops with an
 * error past BENCH_DEFLATE_RSS_DEADLINE seconds (default 60).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serverEntry } from '../echo/bundle.js';
import { Child, delay, forkChild, openFileLimits, serverMemory, startServer, stopServer, type Implementation, type Server } from '../echo/processes.js';
import type { EchoMode, ServerMemory } from '../echo/server.js';
import type { Offer, OpenResult, RssClientMessage, RssClientRequest } from './client.js';
import type { StageMemoryResult } from './stages.js';

type CaseName = 'deflate' | 'no context' | 'plain';

interface Case {
  name: CaseName;
  mode: EchoMode;
  offer: Offer;
}

const CASES: Record<string, Case> = {
  deflate: { name: 'deflate', mode: 'deflate', offer: 'browser' },
  'no-context': { name: 'no context', mode: 'deflate-nct', offer: 'no-context' },
  plain: { name: 'plain', mode: 'plain', offer: 'none' },
};

export interface RssRow {
  implementation: 'ours' | 'ws';
  case: CaseName;
  connections: number;
  idle: ServerMemory;
  afterExchange: ServerMemory;
  afterGc: ServerMemory;
  afterClose: ServerMemory;
  /** VmHWM when the server stopped: the peak over the case. */
  peak: number;
  exchange: OpenResult;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const MiB = 1024 * 1024;

function numberFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name}: not a positive number: ${value}`);
  return number;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)}`;
}

/** Per connection, in KiB: what a connection adds to the idle server. */
function perConnection(memory: ServerMemory, idle: ServerMemory, connections: number): string {
  return ((memory.rss - idle.rss) / 1024 / connections).toFixed(0);
}

export function printRssTable(rows: RssRow[], size: number, messages: number): void {
  const connections = rows[0]?.connections ?? 0;
  console.log(`\n## Server memory with ${connections} connections, permessage-deflate: wspipe vs ws\n`);
  console.log(
    `Each connection (from another process) exchanges ${messages} JSON-like text messages of ${size} B with an echo server (one child process per row, run with --expose-gc). ` +
      `RSS: VmRSS of the server (MiB) when idle, right after the exchange, after a full GC, and after the clients closed and another GC; peak: VmHWM. ` +
      `KiB/conn: (RSS after GC − idle RSS) / connections. heap used / committed / external: V8 heap used, V8 heap committed (counted in RSS) and external memory (Buffers) after GC. ` +
      `Exchange: time for all connections to complete their messages (zlib work queued through each library's limiter). ` +
      `Cases: deflate = perMessageDeflate: true and a browser's offer (context takeover both ways); no context = serverNoContextTakeover: true and the client offers client_no_context_takeover; plain = no compression.\n`,
  );
  const header = ['server', 'case', 'idle RSS', 'RSS after exchange', 'RSS after GC', 'KiB/conn', 'peak (VmHWM)', 'heap used / committed / external after GC', 'RSS after close + GC', 'exchange', 'compressed', 'agreed'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const cells = [
      row.implementation === 'ours' ? 'wspipe' : 'ws',
      row.case,
      mib(row.idle.rss),
      mib(row.afterExchange.rss),
      `**${mib(row.afterGc.rss)}**`,
      `**${perConnection(row.afterGc, row.idle, row.connections)}**`,
      mib(row.peak),
      `${mib(row.afterGc.heapUsed)} / ${mib(row.afterGc.heapTotal)} / ${mib(row.afterGc.external)}`,
      mib(row.afterClose.rss),
      `${(row.exchange.exchangeMs / 1000).toFixed(2)} s`,
      `${Math.round(row.exchange.compressedShare * 100)}%`,
      `\`${row.exchange.agreed || '–'}\``,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  // Side by side, per case.
  const cases = [...new Set(rows.map((row) => row.case))];
  const lines: string[] = [];
  for (const name of cases) {
    const ours = rows.find((row) => row.case === name && row.implementation === 'ours');
    const ws = rows.find((row) => row.case === name && row.implementation === 'ws');
    if (!ours || !ws) continue;
    lines.push(
      `${name}: RSS after GC wspipe / ws = ${(ours.afterGc.rss / ws.afterGc.rss).toFixed(2)}× (${mib(ours.afterGc.rss)} / ${mib(ws.afterGc.rss)} MiB), ` +
        `peak ${(ours.peak / ws.peak).toFixed(2)}×, exchange time ${(ours.exchange.exchangeMs / ws.exchange.exchangeMs).toFixed(2)}×`,
    );
  }
  const zlibCost = (implementation: 'ours' | 'ws', name: CaseName): string => {
    const compressed = rows.find((row) => row.case === name && row.implementation === implementation);
    const plain = rows.find((row) => row.case === 'plain' && row.implementation === implementation);
    if (!compressed || !plain) return '–';
    return `${((compressed.afterGc.rss - compressed.idle.rss - (plain.afterGc.rss - plain.idle.rss)) / 1024 / compressed.connections).toFixed(0)} KiB`;
  };
  if (rows.some((row) => row.case === 'plain')) {
    for (const name of cases.filter((name) => name !== 'plain')) {
      lines.push(`${name}: compression's own cost per connection (KiB/conn minus the plain row's) wspipe ${zlibCost('ours', name)}, ws ${zlibCost('ws', name)}`);
    }
  }
  if (lines.length > 0) console.log(`\n${lines.join('\n')}`);
}

const STAGE_ROWS: Array<[StageMemoryResult['implementation'], StageMemoryResult['context']]> = [
  ['ours', 'takeover'],
  ['ws', 'takeover'],
  ['ours', 'no-context'],
  ['ws', 'no-context'],
  ['pool', 'no-context'],
];

/** One stages.ts child; resolves with its result line. */
function stageRow(row: (typeof STAGE_ROWS)[number], connections: number, size: number, messages: number, timeoutMs: number): Promise<StageMemoryResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', `${here}stages.ts`, ...row, String(connections), String(size), String(messages)],
      { timeout: Math.floor(timeoutMs), maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`stages.ts ${row.join(' ')}: ${error.message}${stderr ? `\n${stderr}` : ''}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as StageMemoryResult);
      },
    );
  });
}

export function printStageTable(rows: StageMemoryResult[], size: number, messages: number): void {
  if (rows.length === 0) return;
  console.log(`\n## zlib stages alone: memory per connection (${rows[0]!.connections} connections, no sockets)\n`);
  console.log(
    `Per connection, one inflater and one compressor that have each handled ${messages} messages of ${size} B, all connections at once, in a fresh process: ` +
      `wspipe = InflateCore + DeflateCore, ws = PerMessageDeflate (server role). RSS added after a full GC, per connection; external as Node reports it. ` +
      `pool = a sketch (node:zlib, not a library) of the no-context case with a process-wide pool of ${DEFAULT_POOL} inflaters and ${DEFAULT_POOL} compressors (the zlib limiter's concurrency), each job borrowing one and returning it reset: ` +
      `no per-connection zlib state, so its figure is transient buffers that the allocator keeps.\n`,
  );
  console.log('| stages | context | RSS KiB/conn | external KiB/conn | time |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    const name = row.implementation === 'ours' ? 'wspipe' : row.implementation === 'ws' ? 'ws' : `pool sketch (${DEFAULT_POOL} + ${DEFAULT_POOL} streams)`;
    console.log(`| ${name} | ${row.context} | **${(row.rssPerConnection / 1024).toFixed(0)}** | ${(row.externalPerConnection / 1024).toFixed(1)} | ${(row.milliseconds / 1000).toFixed(2)} s |`);
  }
}

/** The zlib limiter's default concurrency (src/transforms/deflate/zlib-limiter.ts), which the pool sketch uses. */
const DEFAULT_POOL = 8;

export async function runDeflateRssBench(): Promise<RssRow[]> {
  const connections = numberFromEnv('BENCH_DEFLATE_RSS_CONNECTIONS', 1000);
  const size = numberFromEnv('BENCH_DEFLATE_RSS_SIZE', 16 * 1024);
  const messages = numberFromEnv('BENCH_DEFLATE_RSS_MESSAGES', 4);
  const deadlineSeconds = numberFromEnv('BENCH_DEFLATE_RSS_DEADLINE', 60);
  const caseNames = (process.env.BENCH_DEFLATE_RSS_CASES ?? 'deflate,no-context,plain').split(',').map((name) => name.trim());
  const cases = caseNames.map((name) => {
    const found = CASES[name];
    if (!found) throw new Error(`BENCH_DEFLATE_RSS_CASES: unknown case ${name} (deflate, no-context, plain)`);
    return found;
  });
  // Each side holds a descriptor per connection, plus a few of its own.
  const openFiles = connections + 256;
  const limits = openFileLimits();
  if (limits && limits.soft < openFiles) {
    console.log(`(open files: soft limit ${limits.soft} < ${openFiles} needed; the children raise theirs, within the hard limit ${limits.hard})`);
  }

  const began = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deflate-rss: not done within ${deadlineSeconds} s (BENCH_DEFLATE_RSS_DEADLINE)`)), deadlineSeconds * 1000);
  });
  deadline.catch(() => {});
  // The client first: forkChild throws when the file limit cannot be raised, before a bundle exists to clean up.
  const client = new Child<RssClientMessage>('deflate-rss client', forkChild(`${here}client.ts`, [], ['--import', 'tsx'], process.env, openFiles));
  const entry = await serverEntry();
  const servers = new Set<Server>();
  const rows: RssRow[] = [];
  const bounded = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, deadline]);
  try {
    for (const testCase of cases) {
      for (const implementation of ['ours', 'ws'] as const satisfies readonly Implementation[]) {
        const server = await bounded(startServer(entry, implementation, { mode: testCase.mode, execArgv: ['--expose-gc'], openFiles }));
        servers.add(server);
        try {
          await delay(200);
          const idle = await bounded(serverMemory(server, true));
          const request: RssClientRequest = { type: 'open', port: server.port, connections, offer: testCase.offer, size, messages };
          const { result: exchange } = await bounded(client.ask(request, 'opened', deadlineSeconds * 1000));
          const afterExchange = await bounded(serverMemory(server, false));
          const afterGc = await bounded(serverMemory(server, true));
          await bounded(client.ask({ type: 'close' } satisfies RssClientRequest, 'closed', 10_000));
          await delay(300);
          const afterClose = await bounded(serverMemory(server, true));
          const stopped = await bounded(stopServer(server));
          servers.delete(server);
          rows.push({ implementation, case: testCase.name, connections, idle, afterExchange, afterGc, afterClose, peak: stopped.hwm, exchange });
          console.log(
            `deflate-rss ${implementation === 'ours' ? 'wspipe' : 'ws'} ${testCase.name}: idle ${mib(idle.rss)} MiB, after exchange ${mib(afterExchange.rss)}, ` +
              `after GC ${mib(afterGc.rss)}, after close ${mib(afterClose.rss)}, peak ${mib(stopped.hwm)} MiB; exchange ${exchange.exchangeMs.toFixed(0)} ms`,
          );
        } finally {
          if (servers.has(server)) {
            servers.delete(server);
            server.child.process.kill();
          }
        }
      }
    }
  } finally {
    for (const server of servers) server.child.process.kill();
    client.process.disconnect();
    entry.cleanup();
  }
  printRssTable(rows, size, messages);

  const stageRows: StageMemoryResult[] = [];
  try {
    if (process.env.BENCH_DEFLATE_RSS_STAGES !== '0') {
      for (const row of STAGE_ROWS) {
        const left = deadlineSeconds * 1000 - (performance.now() - began);
        if (left < 10_000) {
          console.log(`\n(stage rows from ${row.join(' ')} on skipped: ${(left / 1000).toFixed(0)} s left of the ${deadlineSeconds} s deadline)`);
          break;
        }
        const result = await bounded(stageRow(row, connections, size, messages, left));
        stageRows.push(result);
        console.log(`deflate-rss stages ${row.join(' ')}: ${(result.rssPerConnection / 1024).toFixed(0)} KiB/conn`);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  printStageTable(stageRows, size, messages);
  console.log(`\n(deflate-rss section: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDeflateRssBench();
}
