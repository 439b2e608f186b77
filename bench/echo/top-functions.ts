/**
 * Summarizes `.cpuprofile` files (from BENCH_ECHO_CPU_PROF=DIR, or any `node --cpu-prof`):
 * `node --import tsx bench/echo/top-functions.ts FILE... [--top N]`.
 *
 * Prints, per profile, the functions with the most self time (where the CPU was), and
 * the share of time that is idle, GC and "program" (native code outside JS: system calls,
 * libuv, C++ bindings such as writev).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function topFunctions(profile: Profile, top: number, includeIdle = false): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') idle += micros;
    if (frame.functionName === '(idle)' && !includeIdle) continue;
    total += micros;
    const file = frame.url ? basename(frame.url.replace(/^file:\/\//, '')) : '';
    const key = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  const lines = [`busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s; self time of the busy part:`];
  for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`${((100 * micros) / total).toFixed(1).padStart(5)}% ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
  return lines;
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex === -1 ? 20 : Number(args.splice(topIndex, 2)[1]);
  for (const file of args) {
    console.log(`\n# ${basename(file)}`);
    for (const line of topFunctions(JSON.parse(readFileSync(file, 'utf8')) as Profile, top)) console.log(line);
  }
}
