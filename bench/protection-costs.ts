/**
 * What the protections cost the decode chain, in-process (`npm run bench -- costs`): the
 * fused server chain alone, beside the same chain with the rate limit stage (limits never
 * reached: the cost of counting) and with a message memory budget (messages in fragments,
 * which reserve and give back). Runs alternate (plain, protected, plain, …) and the medians
 * are compared: on a shared machine a ratio of runs made back to back is steadier than a rate.
 */
import { decodeStages, fuseStages, MemoryBudget, namedStage, RateLimiterCore, type RecordSink } from '../src/transforms/index.js';
import { maskedFrameChunks } from './frames.js';
import { median } from './echo/processes.js';
import { formatRate, passesPerSecond } from './measure.js';
import { frame, MASK } from '../test/helpers/frames.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 0.5);
const RUNS = Number(process.env.BENCH_COSTS_RUNS ?? 7);

type Variant = 'plain' | 'rate limit' | 'message memory';

function chain(variant: Variant, onMessage: () => void): { accept(chunk: Buffer): void } {
  const stages = decodeStages({ role: 'server', maxPayload: 1 << 30, ...(variant === 'message memory' && { messageMemory: new MemoryBudget() }) });
  if (variant === 'rate limit') {
    stages.splice(1, 0, namedStage('RateLimit', (next: RecordSink<never>) => new RateLimiterCore({ messagesPerSecond: 1e12, bytesPerSecond: 1e15 }, next)));
  }
  return fuseStages<Buffer>(stages, { accept: onMessage });
}

/** 64 KiB messages, each in 16 masked frames of 4 KiB, cut into 64 KiB chunks. */
function fragmentedChunks(): { chunks: Buffer[]; messages: number } {
  const frames: Buffer[] = [];
  const messages = 64;
  for (let m = 0; m < messages; m++) {
    for (let f = 0; f < 16; f++) frames.push(frame({ opcode: f === 0 ? 0x2 : 0x0, fin: f === 15, payload: Buffer.alloc(4096, m), mask: MASK }));
  }
  const stream = Buffer.concat(frames);
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += 65536) chunks.push(Buffer.from(stream.subarray(at, at + 65536)));
  return { chunks, messages };
}

export async function runProtectionCosts(): Promise<void> {
  const cases: Array<{ name: string; variant: Variant; input: () => { chunks: Buffer[]; messages: number } }> = [
    { name: '32 B messages', variant: 'rate limit', input: () => { const { chunks, frames } = maskedFrameChunks(32, 4 << 20); return { chunks, messages: frames }; } },
    { name: '1 KiB messages', variant: 'rate limit', input: () => { const { chunks, frames } = maskedFrameChunks(1024, 4 << 20); return { chunks, messages: frames }; } },
    { name: '64 KiB messages in 16 fragments', variant: 'message memory', input: fragmentedChunks },
  ];
  console.log(`\n## What the protections cost the decode chain (server role, in-process, median of ${RUNS} alternated runs of ${seconds} s)\n`);
  console.log('| input | stage | messages/s without | with | with / without |\n|---|---|---|---|---|');
  for (const { name, variant, input } of cases) {
    // Binary frames: unmasking the same chunks in place on every pass leaves valid input.
    const rates: Record<'plain' | 'protected', number[]> = { plain: [], protected: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const which of ['plain', 'protected'] as const) {
        const { chunks, messages } = input();
        let count = 0;
        const core = chain(which === 'plain' ? 'plain' : variant, () => count++);
        const rate = await passesPerSecond(() => {
          for (const chunk of chunks) core.accept(chunk);
        }, seconds, 0.1);
        if (count === 0) throw new Error('nothing decoded');
        rates[which].push(rate * messages);
      }
    }
    const without = median(rates.plain);
    const withIt = median(rates.protected);
    console.log(`| ${name} | ${variant} | ${formatRate(without)} | ${formatRate(withIt)} | ${(withIt / without).toFixed(2)}× |`);
  }
}
