/**
 * `npm run bench -- h2`: what WebSockets over HTTP/2 (RFC 8441) save against one TLS
 * connection each. For each transport, a fresh server (bench/h2/server.ts) and a fresh
 * client (client.ts), both our library with TLS, in their own processes with
 * `--expose-gc`; the client opens BENCH_H2_SOCKETS WebSockets (default 1,000; at most
 * BENCH_H2_CONCURRENCY opening at once, default 100), one echo on each, and the runner reads:
 * the time to open them all, and each side's RSS after a full GC, before and after, per socket.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testPki } from '../../test/helpers/tls.js';
import { Child } from '../echo/processes.js';
import type { H2ClientReply } from './client.js';
import type { H2ServerReply } from './server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const SOCKETS = Number(process.env['BENCH_H2_SOCKETS'] ?? 1000);
const CONCURRENCY = Number(process.env['BENCH_H2_CONCURRENCY'] ?? 100);
const KiB = 1024;

interface Row {
  transport: string;
  ms: number;
  serverPerSocket: number;
  clientPerSocket: number;
  sessions: number;
  transports: Record<string, number>;
}

function child<M extends { type: string }>(name: string, env: NodeJS.ProcessEnv): Child<M> {
  return new Child<M>(name, fork(`${here}${name}.ts`, [], { execArgv: ['--import', 'tsx', '--expose-gc'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}

async function measure(http2: boolean): Promise<Row> {
  const pki = testPki();
  const env = { ...process.env, BENCH_H2_KEY: pki.key.toString(), BENCH_H2_CERT: pki.cert.toString(), BENCH_H2_CA: pki.ca.toString() };
  const server = child<H2ServerReply>('server', env);
  const client = child<H2ClientReply>('client', env);
  try {
    const { port } = await server.next('listening');
    const serverBefore = await server.ask({ type: 'memory' }, 'memory', 10_000);
    const clientBefore = await client.ask({ type: 'memory' }, 'memory', 10_000);
    const opened = await client.ask({ type: 'open', url: `wss://localhost:${port}/`, count: SOCKETS, http2, concurrency: CONCURRENCY }, 'opened', 120_000);
    const serverAfter = await server.ask({ type: 'memory' }, 'memory', 10_000);
    const clientAfter = await client.ask({ type: 'memory' }, 'memory', 10_000);
    if (serverAfter.connections !== SOCKETS) throw new Error(`the server has ${serverAfter.connections} connections, not ${SOCKETS}`);
    return {
      transport: http2 ? 'HTTP/2 (RFC 8441)' : 'HTTP/1.1 upgrade',
      ms: opened.ms,
      serverPerSocket: (serverAfter.rss - serverBefore.rss) / SOCKETS,
      clientPerSocket: (clientAfter.rss - clientBefore.rss) / SOCKETS,
      sessions: serverAfter.sessions,
      transports: opened.transports,
    };
  } finally {
    server.send({ type: 'stop' });
    client.send({ type: 'stop' });
  }
}

export async function runH2Bench(): Promise<void> {
  console.log(`\n## WebSockets over HTTP/2 vs HTTP/1.1, both over TLS: ${SOCKETS} sockets, ${CONCURRENCY} opening at once\n`);
  console.log('| transport | open all (ms) | per socket (ms) | server RSS / socket | client RSS / socket | HTTP/2 sessions | transports |');
  console.log('|---|---|---|---|---|---|---|');
  for (const http2 of [false, true]) {
    const row = await measure(http2);
    console.log(
      `| ${row.transport} | ${row.ms.toFixed(0)} | ${(row.ms / SOCKETS).toFixed(2)} | ${(row.serverPerSocket / KiB).toFixed(1)} KiB | ${(row.clientPerSocket / KiB).toFixed(1)} KiB | ${row.sessions} | ${Object.entries(row.transports).map(([name, count]) => `${name}: ${count}`).join(', ')} |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runH2Bench();
