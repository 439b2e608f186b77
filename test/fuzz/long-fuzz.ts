/**
 * The decoder fuzzer as a long, bounded run (`npm run fuzz`): the cases and checks of
 * test/decoder-fuzz.test.ts (test/helpers/fuzz-gen.ts), for FUZZ_SECONDS (default 60).
 *
 *   FUZZ_SECONDS=300 npm run fuzz        run longer
 *   FUZZ_SEED=123 FUZZ_CASES=1 npm run fuzz   replay one case (a failure prints its seed)
 *   FUZZ_TIMEOUT_MS=2000                 per-case limit for the stream paths
 *
 * The cases run in a worker thread; the main thread is a watchdog, so that even a decoder
 * stuck in a synchronous loop is reported (with its seed) instead of hanging the run.
 * Prints cases/s while running and a summary at the end; exits 1 on any failure.
 */
import { randomInt } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { describeCase, fuzzOne, guardUncaught } from '../helpers/fuzz-gen.js';

interface Settings {
  seconds: number;
  firstSeed: number;
  maxCases: number;
  timeoutMs: number;
}

type Report =
  | { type: 'case'; seed: number }
  | { type: 'progress'; cases: number; elapsed: number }
  | { type: 'failure'; seed: number; kind: string; text: string }
  | { type: 'done'; cases: number; elapsed: number; outcomes: Record<string, number> };

const MAX_PRINTED_FAILURES = 20;

function settingsFromEnv(): Settings {
  const number = (name: string, fallback: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number >= 0, got ${raw}`);
    return value;
  };
  return {
    seconds: number('FUZZ_SECONDS', 60),
    firstSeed: number('FUZZ_SEED', randomInt(0, 2 ** 31 - 1)),
    maxCases: number('FUZZ_CASES', Infinity),
    timeoutMs: number('FUZZ_TIMEOUT_MS', 2000),
  };
}

/** The worker: runs seeds one after another until the time or case budget is spent. */
async function runWorker(settings: Settings, post: (report: Report) => void): Promise<void> {
  const guard = guardUncaught();
  const outcomes: Record<string, number> = {};
  const start = performance.now();
  let lastProgress = start;
  let cases = 0;
  const deadline = start + settings.seconds * 1000;
  for (let seed = settings.firstSeed; cases < settings.maxCases && performance.now() < deadline; seed = (seed + 1) % 2 ** 31) {
    post({ type: 'case', seed });
    const { c, failure, outcome } = await fuzzOne(seed, guard.escaped, settings.timeoutMs);
    cases++;
    const error = outcome.error as { closeCode?: number } | null;
    const key = `${c.mode.padEnd(13)} ${c.path.padEnd(8)} ${error ? `error ${error.closeCode}` : 'ok'}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (failure !== null) {
      post({ type: 'failure', seed, kind: `${c.path}: ${failure.replace(/\(.*$/, '').slice(0, 100)}`, text: `${describeCase(c)}\n    → ${failure}` });
    }
    const now = performance.now();
    if (now - lastProgress >= 5000) {
      lastProgress = now;
      post({ type: 'progress', cases, elapsed: now - start });
    }
  }
  guard.dispose();
  post({ type: 'done', cases, elapsed: performance.now() - start, outcomes });
}

/** The main thread: starts the worker, prints its reports, and kills it if it stops answering. */
function runMain(settings: Settings): void {
  const watchdogMs = Math.max(10_000, settings.timeoutMs * 5);
  console.log(
    `fuzzing the decoder for ${settings.seconds} s from seed ${settings.firstSeed}` +
      (Number.isFinite(settings.maxCases) ? `, at most ${settings.maxCases} cases` : ''),
  );
  // A worker does not inherit tsx's loader hooks: its entry registers them, then loads this file.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(entry, { eval: true, workerData: settings });
  const failures = new Map<string, { count: number; examples: string[] }>();
  let failureCount = 0;
  let currentSeed = settings.firstSeed;
  let lastBeat = Date.now();
  let finished = false;

  const watchdog = setInterval(() => {
    if (Date.now() - lastBeat < watchdogMs) return;
    console.error(`\nFAIL: seed ${currentSeed} did not finish within ${watchdogMs} ms (a synchronous hang?)`);
    console.error(`replay: FUZZ_SEED=${currentSeed} FUZZ_CASES=1 npm run fuzz`);
    finished = true;
    clearInterval(watchdog);
    void worker.terminate().then(() => process.exit(1));
  }, 1000);

  worker.on('message', (report: Report) => {
    lastBeat = Date.now();
    switch (report.type) {
      case 'case':
        currentSeed = report.seed;
        break;
      case 'progress':
        console.log(`  ${report.cases} cases, ${Math.round(report.cases / (report.elapsed / 1000))} cases/s, ${failureCount} failures`);
        break;
      case 'failure': {
        failureCount++;
        const entry = failures.get(report.kind) ?? { count: 0, examples: [] };
        entry.count++;
        if (entry.examples.length < 3) entry.examples.push(report.text);
        failures.set(report.kind, entry);
        if (failureCount <= MAX_PRINTED_FAILURES) console.log(`FAIL ${report.text}`);
        break;
      }
      case 'done': {
        finished = true;
        clearInterval(watchdog);
        const rate = Math.round(report.cases / (report.elapsed / 1000));
        console.log(`\n${report.cases} cases in ${(report.elapsed / 1000).toFixed(1)} s (${rate} cases/s), seeds ${settings.firstSeed}…${currentSeed}`);
        console.log('outcomes (mode, path, result):');
        for (const [key, count] of Object.entries(report.outcomes).sort()) console.log(`  ${String(count).padStart(7)}  ${key}`);
        if (failureCount === 0) {
          console.log('no failures');
        } else {
          console.log(`\n${failureCount} failures:`);
          for (const [kind, { count, examples }] of failures) {
            console.log(`  ${count} × ${kind}`);
            for (const example of examples) console.log(`      ${example.replace(/\n/g, '\n      ')}`);
          }
          console.log(`replay one: FUZZ_SEED=<seed> FUZZ_CASES=1 npm run fuzz`);
        }
        process.exitCode = failureCount === 0 ? 0 : 1;
        break;
      }
    }
  });
  worker.on('error', (error) => {
    if (finished) return;
    finished = true;
    clearInterval(watchdog);
    console.error(`\nFAIL: the fuzzer crashed at seed ${currentSeed}:`, error);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => {
    if (finished) return;
    clearInterval(watchdog);
    console.error(`\nFAIL: the fuzzer exited (${code}) at seed ${currentSeed}`);
    process.exitCode = 1;
  });
}

if (isMainThread) {
  runMain(settingsFromEnv());
} else {
  await runWorker(workerData as Settings, (report) => parentPort!.postMessage(report));
}
