/**
 * `wspipe echo --workers N` (node:cluster) as a child process: the workers share the port
 * and the listening line comes once; with --broadcast and --redis (a real redis-server)
 * the topic spans the workers; SIGTERM stops every worker gracefully; --broadcast in one
 * process; the flags' mistakes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildRun } from '../helpers/child-process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { eventually, nextEvent } from '../helpers/timeouts.js';
import { openRecorders, received, terminateAll, type Recorder } from '../topics/clients.js';
import { finished, inBatches, wspipe, wspipeRun } from './cli-run.js';

let cli: ChildRun | null = null;
let clients: Recorder[] = [];
let redis: RedisServer | null = null;
test.after.each(async () => {
  terminateAll(clients);
  clients = [];
  cli?.kill();
  await cli?.exited(5000).catch(() => {});
  cli = null;
  await redis?.stop();
  redis = null;
});

async function start(args: string[]): Promise<string> {
  cli = wspipe(['echo', '--host', '127.0.0.1', '--port', '0', ...args]);
  const [, url] = await cli.waitForLine(/^listening on (ws:\/\/127\.0\.0\.1:\d+\/)$/, 30_000);
  return url!;
}

/** Opens clients until both workers have one (the primary hands connections out round-robin). */
async function onBothWorkers(url: string): Promise<Recorder[]> {
  const opened: Recorder[] = [];
  const workersSeen = (): Set<string> => new Set([...cli!.stderr().matchAll(/^\[worker (\d+)\] .* open,/gm)].map((match) => match[1]!));
  for (let i = 0; i < 20 && workersSeen().size < 2; i++) {
    opened.push(...(await openRecorders(url, 1)));
    await eventually(() => cli!.stderr().split(' open,').length - 1 >= opened.length, 5000, 'the open to be logged');
  }
  assert.is(workersSeen().size, 2, cli!.stderr());
  return opened;
}

test('--workers 2 --broadcast --redis: one listening line; every message reaches every client on both workers, through Redis; SIGTERM closes all with 1001, exit 0', async () => {
  redis = await startRedis();
  const url = await start(['--workers', '2', '--broadcast', '--redis', redis.url]);
  clients = await onBothWorkers(url);
  clients.forEach((client, index) => client.ws.send(`from ${index}`));
  await received(clients, clients.length);
  const expected = clients.map((_, index) => `t:from ${index}`).sort();
  for (const client of clients) assert.equal([...client.received].sort(), expected);
  const closes = clients.map((client) => nextEvent<[number]>(client.ws, 'close', 10_000, 'the close after SIGTERM'));
  cli!.child.kill('SIGTERM');
  for (const close of closes) assert.is((await close)[0], 1001);
  const run = await finished(cli!, 10_000);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, `listening on ${url}`);
  assert.match(run.stderr, /SIGTERM: shutting down 2 workers/);
});

test('--broadcast without --workers: every message to every connection of the one process', async () => {
  const url = await start(['--broadcast']);
  clients = await openRecorders(url, 3);
  clients[0]!.ws.send(Buffer.from([1, 2, 3]));
  await received(clients, 1);
  for (const client of clients) assert.equal(client.received, [`b:${Buffer.from([1, 2, 3]).toString('latin1')}`]);
});

test('mistakes: --broadcast with workers but no --redis, a --redis that is not a URL, --workers 0', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--broadcast', '--workers', '2'], /^wspipe echo: --broadcast with --workers above 1 needs --redis URL/],
    [['--redis', 'localhost:6379'], /^wspipe echo: --redis must be a redis:\/\/ or rediss:\/\/ URL/],
    [['--workers', '0'], /^wspipe echo: --workers must be an integer from 1 to 256, not "0"$/],
  ];
  const runs = await inBatches(cases, 3, async ([args, line]) => ({ line, run: await wspipeRun(['echo', '--port', '0', ...args], 15_000) }));
  for (const { line, run } of runs) {
    assert.is(run.code, 2, run.stderr);
    assert.match(run.stderr.split('\n')[0]!, line);
  }
});

test.run();
