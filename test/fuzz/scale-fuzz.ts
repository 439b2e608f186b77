/**
 * The fuzzer at scale (`npm run fuzz`, first part): a million inputs per target by default,
 * each a cheap mutation of a valid input (scale-inputs.ts), checked for what must hold
 * whatever the bytes: no exception but the protocol's own (a WebSocketError with a close
 * code RFC 6455 asks for, a HandshakeError with an HTTP status), no hang, no unbounded
 * memory. (test/fuzz/long-fuzz.ts checks fewer inputs against a reference decoder.)
 *
 * Targets: the decoder in both roles, plain and with permessage-deflate (the fused chain a
 * connection runs), the server's request-head parser with validateUpgradeRequest, and the
 * client's response validation (validateUpgradeResponse, permessage-deflate's parameters).
 *
 *   FUZZ_INPUTS=1000000     inputs per target
 *   FUZZ_TARGETS=decoder-server,request-head   a subset
 *   FUZZ_SEED=123           the run's seed (printed); FUZZ_FROM=i FUZZ_INPUTS=1 replays input i
 *   FUZZ_WORKERS=2          worker threads (default: the number of CPUs, at most the targets)
 *   FUZZ_MAX_RSS_MB=1536    a worker past this RSS fails the run (unbounded memory)
 *
 * Each worker posts a heartbeat every 500 inputs; the main thread fails the run, naming the
 * input, when one stays silent for 30 s (a hang). Exit status 1 on any failure.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { HandshakeError, RequestHeadParser, validateUpgradeRequest, validateUpgradeResponse } from '../../src/handshake/index.js';
import { createDecoderCore, WebSocketError, type CreateDecoderOptions, type Message, type Role } from '../../src/transforms/index.js';
import { Rng } from '../helpers/rng.js';
import { chunksOf, decoderCorpus, mutate, parseResponseHead, requestCorpus, responseCorpus, type ResponseCase } from './scale-inputs.js';

const TARGETS = ['decoder-server', 'decoder-client', 'decoder-server-deflate', 'decoder-client-deflate', 'request-head', 'response'] as const;
type Target = (typeof TARGETS)[number];

interface Settings {
  seed: number;
  inputs: number;
  from: number;
  maxRssMb: number;
}

type Report =
  | { type: 'beat'; target: Target; index: number }
  | { type: 'failure'; target: Target; index: number; text: string }
  | { type: 'done'; target: Target; inputs: number; seconds: number; outcomes: Record<string, number>; maxRss: number };

/** Close codes a decoder may fail with: 1006 for input ending mid-frame, else RFC 6455 §7.4.1's. */
const DECODER_CODES = new Set([1002, 1006, 1007, 1009]);
/** Statuses the server may refuse a request head with. */
const REQUEST_STATUSES = new Set([400, 426, 431]);

/** One input's seed: a pure function of the run's seed and the input's index. */
function inputSeed(seed: number, target: Target, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(TARGETS.indexOf(target) + 1, 0x85ebca6b)) >>> 0;
}

/** Runs one decoder input; returns the outcome's name, or throws what must not happen. */
async function decodeOne(rng: Rng, corpus: Buffer[], role: Role, deflate: boolean): Promise<string> {
  const input = mutate(rng, rng.pick(corpus), rng.pick(corpus));
  const options: CreateDecoderOptions = { role };
  if (rng.chance(0.2)) options.maxPayload = rng.pick([0, 16, 125, 1000, 65_536]);
  if (rng.chance(0.1)) options.maxFragments = rng.int(1, 4);
  if (deflate) options.inflate = rng.chance(0.5) ? {} : { noContextTakeover: true };
  const sink = {
    accept(message: Message): void {
      const ok =
        (message.type === 'text' && typeof message.data === 'string') ||
        ((message.type === 'binary' || message.type === 'ping' || message.type === 'pong') && Buffer.isBuffer(message.data)) ||
        (message.type === 'close' && typeof message.reason === 'string');
      if (!ok) throw new Error(`A malformed message came out: ${JSON.stringify(message).slice(0, 200)}`);
    },
  };
  const core = createDecoderCore(options, sink);
  try {
    for (const chunk of chunksOf(rng, input)) {
      core.accept(chunk);
      if (core.async) {
        const error = await new Promise<Error | null>((resolve) => core.whenSettled(resolve));
        if (error) throw error;
      }
    }
    core.finish();
    return 'ok';
  } catch (error) {
    if (error instanceof WebSocketError && DECODER_CODES.has(error.closeCode)) return `error ${error.closeCode}`;
    throw error;
  } finally {
    core.destroy();
  }
}

function requestOne(rng: Rng, corpus: Buffer[]): string {
  const input = mutate(rng, rng.pick(corpus), rng.pick(corpus));
  const parser = new RequestHeadParser(rng.chance(0.2) ? { maxHeaderBytes: rng.int(1, 600), maxHeaderCount: rng.int(1, 8) } : {});
  let fed = 0;
  try {
    for (const chunk of chunksOf(rng, input)) {
      const result = parser.feed(chunk);
      fed += chunk.length;
      if (!result.done) continue;
      if (!input.subarray(fed - result.head.length, fed).equals(result.head)) throw new Error('`head` is not what followed the request head in its chunk');
      validateUpgradeRequest(result.request);
      return 'valid';
    }
    return 'incomplete';
  } catch (error) {
    if (error instanceof HandshakeError && REQUEST_STATUSES.has(error.statusCode)) return `status ${error.statusCode}`;
    throw error;
  }
}

function responseOne(rng: Rng, corpus: ResponseCase[]): string {
  const chosen = rng.pick(corpus);
  const head = parseResponseHead(mutate(rng, chosen.response, rng.pick(corpus).response));
  if (head === null) return 'not HTTP';
  try {
    const info = validateUpgradeResponse(head, chosen.sent);
    for (const entry of info.agreed) if (typeof entry.stages?.name !== 'string') throw new Error('An agreed extension without its stages');
    return 'accepted';
  } catch (error) {
    if (error instanceof HandshakeError) return error.code;
    throw error;
  }
}

async function runTarget(target: Target, settings: Settings, post: (report: Report) => void): Promise<void> {
  const corpusSeed = inputSeed(settings.seed, target, -1);
  const deflate = target.endsWith('-deflate');
  const role: Role = target.startsWith('decoder-server') ? 'server' : 'client';
  const decoderInputs = target.startsWith('decoder') ? decoderCorpus(corpusSeed, role, deflate) : [];
  const requests = target === 'request-head' ? requestCorpus(corpusSeed) : [];
  const responses = target === 'response' ? responseCorpus(corpusSeed) : [];
  const outcomes: Record<string, number> = {};
  const began = performance.now();
  let maxRss = process.memoryUsage.rss();
  const end = settings.from + settings.inputs;
  const runOne = async (index: number): Promise<void> => {
    const rng = new Rng(inputSeed(settings.seed, target, index));
    let outcome: string;
    try {
      if (target === 'request-head') outcome = requestOne(rng, requests);
      else if (target === 'response') outcome = responseOne(rng, responses);
      else outcome = await decodeOne(rng, decoderInputs, role, deflate);
    } catch (error) {
      outcome = 'FAILED';
      post({ type: 'failure', target, index, text: error instanceof Error ? `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}` : String(error) });
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  // zlib works on the thread pool: several inputs in flight keep it busy (inputs are independent).
  const inFlight = new Set<Promise<void>>();
  const concurrency = deflate ? 32 : 1;
  for (let index = settings.from; index < end; index++) {
    const running = runOne(index).finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (index % 500 === 0) {
      post({ type: 'beat', target, index });
      const rss = process.memoryUsage.rss();
      if (rss > maxRss) maxRss = rss;
      if (rss > settings.maxRssMb * 2 ** 20) {
        post({ type: 'failure', target, index, text: `RSS ${(rss / 2 ** 20).toFixed(0)} MiB passed FUZZ_MAX_RSS_MB (${settings.maxRssMb})` });
        break;
      }
      // A synchronous target would never let the heartbeat out otherwise.
      if (index % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await Promise.all(inFlight);
  post({ type: 'done', target, inputs: settings.inputs, seconds: (performance.now() - began) / 1000, outcomes, maxRss });
}

function settingsFromEnv(): { settings: Settings; targets: Target[]; workers: number } {
  const number = (name: string, fallback: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${raw}`);
    return value;
  };
  const filter = process.env.FUZZ_TARGETS?.split(',').map((name) => name.trim());
  const unknown = filter?.filter((name) => !(TARGETS as readonly string[]).includes(name)) ?? [];
  if (unknown.length > 0) throw new RangeError(`Unknown FUZZ_TARGETS ${unknown.join(', ')}; known: ${TARGETS.join(', ')}`);
  const targets = TARGETS.filter((target) => !filter || filter.includes(target));
  return {
    settings: { seed: number('FUZZ_SEED', randomInt(0, 2 ** 31 - 1)), inputs: number('FUZZ_INPUTS', 1_000_000), from: number('FUZZ_FROM', 0), maxRssMb: number('FUZZ_MAX_RSS_MB', 1536) },
    targets,
    workers: Math.max(1, Math.min(number('FUZZ_WORKERS', availableParallelism()), targets.length)),
  };
}

function runMain(): void {
  const { settings, targets, workers } = settingsFromEnv();
  console.log(`fuzzing at scale: ${settings.inputs} inputs each for ${targets.join(', ')}; seed ${settings.seed}; ${workers} workers`);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const queue = [...targets];
  const began = performance.now();
  let failures = 0;
  let running = 0;
  const rows: string[] = [];
  const start = (): void => {
    const target = queue.shift();
    if (target === undefined) return;
    running++;
    const worker = new Worker(entry, { eval: true, workerData: { settings, target } });
    let last = { index: settings.from, at: Date.now() };
    let finished = false;
    const watchdog = setInterval(() => {
      if (Date.now() - last.at < 30_000) return;
      console.error(`FAIL ${target}: no progress for 30 s after input ${last.index} (a hang?); replay: FUZZ_SEED=${settings.seed} FUZZ_TARGETS=${target} FUZZ_FROM=${last.index} FUZZ_INPUTS=500 npm run fuzz`);
      failures++;
      finished = true;
      clearInterval(watchdog);
      void worker.terminate();
    }, 1000);
    const end = (): void => {
      clearInterval(watchdog);
      running--;
      if (queue.length > 0) start();
      else if (running === 0) summary();
    };
    worker.on('message', (report: Report) => {
      last = { index: report.type === 'done' ? last.index : report.index, at: Date.now() };
      if (report.type === 'failure') {
        failures++;
        if (failures <= 20) console.log(`FAIL ${target} input ${report.index}: ${report.text}\n  replay: FUZZ_SEED=${settings.seed} FUZZ_TARGETS=${target} FUZZ_FROM=${report.index} FUZZ_INPUTS=1 npm run fuzz`);
      } else if (report.type === 'done') {
        finished = true;
        const rate = Math.round(report.inputs / report.seconds);
        const outcomes = Object.entries(report.outcomes)
          .sort((a, b) => b[1] - a[1])
          .map(([name, count]) => `${name} ${count}`)
          .join(', ');
        const row = `| ${target} | ${report.inputs.toLocaleString('en-US')} | ${report.seconds.toFixed(1)} s | ${rate.toLocaleString('en-US')}/s | ${(report.maxRss / 2 ** 20).toFixed(0)} MiB | ${outcomes} |`;
        rows.push(row);
        console.log(`  ${target}: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s (${rate}/s), max RSS ${(report.maxRss / 2 ** 20).toFixed(0)} MiB`);
      }
    });
    worker.on('error', (error) => {
      failures++;
      console.error(`FAIL ${target}: the worker crashed after input ${last.index}:`, error);
    });
    worker.on('exit', () => {
      if (!finished) {
        failures++;
        console.error(`FAIL ${target}: the worker exited after input ${last.index}`);
      }
      end();
    });
  };
  const summary = (): void => {
    console.log(`\n| target | inputs | time | rate | max RSS | outcomes |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
    console.log(`\n${failures === 0 ? 'no failures' : `${failures} failures`} in ${((performance.now() - began) / 1000).toFixed(0)} s, seed ${settings.seed}`);
    process.exitCode = failures === 0 ? 0 : 1;
  };
  for (let i = 0; i < workers; i++) start();
}

if (isMainThread) {
  runMain();
} else {
  // Every refused input makes an error: without stack traces a run goes twice as fast.
  // FUZZ_STACKS=1 keeps them, to replay a failure.
  Error.stackTraceLimit = process.env.FUZZ_STACKS ? 20 : 0;
  const { settings, target } = workerData as { settings: Settings; target: Target };
  await runTarget(target, settings, (report) => parentPort!.postMessage(report));
}
