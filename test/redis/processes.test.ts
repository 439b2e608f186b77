/**
 * Three server processes sharing topics through one real Redis, ws clients on each (one
 * process over wss://): every client receives every message published on any process —
 * by the servers (server.publish) and by the clients (connection.publish) — in
 * per-publisher order, none lost, none twice. Then the same with Redis killed and
 * restarted in the middle of a publishing run, and with a server process killed and
 * started again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChild, type ChildRun } from '../helpers/child-process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { testPki } from '../helpers/tls.js';
import { eventually } from '../helpers/timeouts.js';
import { openRecorders, received, terminateAll, type Recorder } from '../topics/clients.js';
import { REPO_ROOT } from '../cli/cli-run.js';

interface Process {
  child: ChildRun;
  url: string;
  clients: Recorder[];
}

// One Redis and three server processes for the whole file (a process takes a second or two
// to start on a busy machine); each test opens its own clients and publishes under its own names.
let redis: RedisServer | null = null;
let processes: Process[] = [];
test.after.each(() => {
  for (const process of processes) terminateAll(process.clients);
});
test.after(async () => {
  for (const process of processes) {
    process.child.kill();
    await process.child.exited(5000).catch(() => {});
  }
  processes = [];
  await redis?.stop();
  redis = null;
});

/** The three server processes (the second over wss://), started on first use. */
async function cluster(): Promise<Process[]> {
  redis ??= await startRedis();
  if (processes.length === 0) await Promise.all([serverProcess(), serverProcess(true), serverProcess()]);
  return processes.slice();
}

/** Starts a server process (wss:// with `tls`) and waits until it reads 'room' from Redis. */
async function serverProcess(tls = false): Promise<Process> {
  const pki = tls ? testPki() : null;
  const args = ['--import', 'tsx', 'test/redis/topic-server.ts', redis!.url, ...(pki ? [pki.certFile, pki.keyFile] : [])];
  const child = runChild(process.execPath, args, { cwd: REPO_ROOT, stdin: 'pipe' });
  const entry: Process = { child, url: '', clients: [] };
  processes.push(entry);
  const [, port] = await child.waitForLine(/^listening (\d+)$/, 20_000);
  entry.url = `${tls ? 'wss://localhost' : 'ws://127.0.0.1'}:${port}/`;
  await child.waitForLine(/^subscribed room$/, 10_000);
  return entry;
}

async function withClients(entry: Process, count: number): Promise<Process> {
  const ca = entry.url.startsWith('wss:') ? { ca: testPki().ca } : {};
  entry.clients = await openRecorders(entry.url, count, ca);
  return entry;
}

function command(entry: Process, line: string): void {
  entry.child.child.stdin!.write(`${line}\n`);
}

/** Checks that `recorder` got each publisher's messages `<name>0..<name>(count-1)` exactly once, in order. */
function assertSeries(recorder: Recorder, name: string, count: number, label: string): void {
  const got = recorder.received.filter((message) => message.startsWith(`t:${name}:`) || new RegExp(`^t:${name}\\d+$`).test(message));
  const expected = Array.from({ length: count }, (_, index) => `t:${name}${index}`);
  assert.equal(got, expected, `${label}: ${name}`);
}

test('three processes (one over wss://): every client gets every message from every process and client, in per-publisher order, once', async () => {
  const servers = await cluster();
  await Promise.all(servers.map((server) => withClients(server, 4)));
  const clients = servers.flatMap((server) => server.clients);
  servers.forEach((server, index) => command(server, `run p${index}- 300 1`));
  clients.forEach((client, index) => {
    for (let i = 0; i < 20; i++) client.ws.send(`c${index}-${i}`);
  });
  const total = 3 * 300 + (clients.length - 1) * 20;
  await received(clients, total, 30_000);
  clients.forEach((client, index) => {
    assert.is(client.received.length, total, `client ${index}`);
    for (let p = 0; p < 3; p++) assertSeries(client, `p${p}-`, 300, `client ${index}`);
    clients.forEach((_, other) => assertSeries(client, `c${other}-`, other === index ? 0 : 20, `client ${index}`));
  });
});

test('Redis killed and restarted in the middle of a publishing run: nothing published during the outage is missing, nothing is doubled', async () => {
  const servers = await cluster();
  await Promise.all(servers.map((server) => withClients(server, 2)));
  const clients = servers.flatMap((server) => server.clients);
  servers.forEach((server, index) => command(server, `run q${index}- 600 2`));
  await received(clients, 300, 20_000);
  const own = (server: Process, index: number): number => Math.min(...server.clients.map((client) => client.received.filter((message) => message.startsWith(`t:q${index}-`)).length));
  const atKill = servers.map(own);
  await redis!.kill();
  // Redis stays down while each process publishes a hundred more (its own clients get them at once).
  await eventually(() => servers.every((server, index) => own(server, index) >= atKill[index]! + 100), 20_000, 'a hundred publications on each process during the outage');
  await redis!.restart();
  await Promise.all(servers.map((server) => server.child.waitForLine(/^ready lost-data$/, 20_000)));
  await Promise.all(servers.map((server, index) => server.child.waitForLine(new RegExp(`^done q${index}-$`), 20_000)));
  await received(clients, 3 * 600, 30_000);
  clients.forEach((client, index) => {
    assert.is(client.received.length, 3 * 600, `client ${index}`);
    for (let p = 0; p < 3; p++) assertSeries(client, `q${p}-`, 600, `client ${index}`);
  });
});

test('a server process killed and started again subscribes again: its new clients get every later message, and what they publish reaches the others', async () => {
  const servers = await cluster();
  await Promise.all(servers.map((server) => withClients(server, 2)));
  const killed = servers[2]!;
  killed.child.kill();
  await killed.child.exited(5000);
  processes.splice(processes.indexOf(killed), 1);
  const restarted = await withClients(await serverProcess(), 2);
  command(servers[0]!, 'run first- 100 1');
  await received(restarted.clients, 100, 20_000);
  for (const client of restarted.clients) assertSeries(client, 'first-', 100, 'a client of the new process');
  command(restarted, 'run again- 50 1');
  const others = [...servers[0]!.clients, ...servers[1]!.clients];
  await received(others, 150, 20_000);
  for (const client of [...others, ...restarted.clients]) {
    assertSeries(client, 'first-', 100, 'after restart');
    assertSeries(client, 'again-', 50, 'after restart');
  }
});

test.run();
