/**
 * `npm run bench`: every benchmark, each implementation in its own process, compared
 * with `ws` in the same run. Prints tables with ratios. Bounded: about a second per row
 * (BENCH_SECONDS to change it).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatRate, type ResultRow } from './measure.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function runWorker(script: string, args: string[], env: Record<string, string> = {}): ResultRow[] {
  const output = execFileSync(process.execPath, ['--import', 'tsx', `${here}${script}`, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  return JSON.parse(output.trim().split('\n').pop()!) as ResultRow[];
}

function table(title: string, rows: ResultRow[], baselines: string[]): void {
  console.log(`\n## ${title}\n`);
  const header = ['implementation', 'size', 'frames/s', 'MB/s', ...baselines.map((name) => `× ${name}`)];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const ratios = baselines.map((name) => {
      const base = rows.find((candidate) => candidate.name === name && candidate.size === row.size);
      return base ? `${(row.framesPerSecond / base.framesPerSecond).toFixed(2)}×` : '–';
    });
    console.log(`| ${row.name} | ${row.size} | ${formatRate(row.framesPerSecond)} | ${row.megabytesPerSecond.toFixed(0)} | ${ratios.join(' | ')} |`);
  }
}

const only = process.argv[2];

if (!only || only === 'decode') {
  const rows = [
    ...runWorker('decode-worker.ts', ['fused']),
    ...runWorker('decode-worker.ts', ['core']),
    ...runWorker('decode-worker.ts', ['separate']),
    ...runWorker('decode-worker.ts', ['ws'], { WS_NO_BUFFER_UTIL: '1' }).map((row) => ({ ...row, name: 'ws' })),
    ...runWorker('decode-worker.ts', ['ws']).map((row) => ({ ...row, name: 'ws+bufferutil' })),
  ];
  table('Decoder: masked binary frames in 64 KiB chunks', rows, ['ws', 'ws+bufferutil', 'fused']);
}

if (!only || only === 'encode') {
  const rows = [
    ...runWorker('encode-worker.ts', ['server']),
    ...runWorker('encode-worker.ts', ['client']).map((row) => (row.name === 'ws (client)' ? { ...row, name: 'ws+bufferutil (client)' } : row)),
    ...runWorker('encode-worker.ts', ['client', 'ws-only'], { WS_NO_BUFFER_UTIL: '1' }),
  ];
  // The server role never masks, so bufferutil does not matter there; the client role is shown against both.
  table('Encoder: binary messages, unmasked (server) and masked (client)', rows, ['ws (server)', 'ws (client)', 'ws+bufferutil (client)']);
}

if (!only || only === 'unmask') {
  const { runUnmaskBench, formatUnmaskRows } = await import('./unmask.js');
  console.log('\n## Unmask kernel (GB/s) beside Buffer.copy, the memory-bandwidth ceiling\n');
  console.log(formatUnmaskRows(await runUnmaskBench()));
}

if (!only || only === 'alloc') {
  // Counted, not timed: heap bytes per small frame (a child process with a large young generation).
  console.log('\n## Heap bytes allocated per small frame\n');
  console.log(
    execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=64', '--import', 'tsx', `${here}alloc.ts`], { encoding: 'utf8' }).trim(),
  );
}

if (!only || only === 'echo') {
  // Echo servers (ours and ws) in child processes under one load generator: bench/echo/run.ts.
  const { runEchoBench } = await import('./echo/run.js');
  await runEchoBench();
}

if (!only || only === 'deflate-echo') {
  // The echo servers with permessage-deflate on both, under a compressing load generator: bench/echo/deflate-run.ts.
  const { runDeflateEchoBench } = await import('./echo/deflate-run.js');
  await runDeflateEchoBench();
}

if (!only || only === 'fanout') {
  // One publisher, 1,000 subscribers: wspipe topics against ws's broadcast loop, then through Redis: bench/fanout/run.ts.
  const { runFanoutBench } = await import('./fanout/run.js');
  await runFanoutBench();
}

if (!only || only === 'costs') {
  // What each protection costs the decode chain: bench/protection-costs.ts.
  const { runProtectionCosts } = await import('./protection-costs.js');
  await runProtectionCosts();
}

if (!only || only === 'deflate-rss') {
  // Server RSS with 1,000 compressing connections, wspipe and ws: bench/deflate-rss/run.ts.
  const { runDeflateRssBench } = await import('./deflate-rss/run.js');
  await runDeflateRssBench();
}

if (!only || only === 'h2') {
  // WebSockets over HTTP/2 (one session) against one TLS connection each: bench/h2/run.ts.
  const { runH2Bench } = await import('./h2/run.js');
  await runH2Bench();
}
