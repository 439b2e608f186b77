/**
 * What the echo benchmarks (run.ts, deflate-run.ts) and the deflate RSS benchmark
 * (bench/deflate-rss/) share: forked children with typed IPC, the echo server children
 * (server.ts, see bundle.ts), one measured run of the load generator, small statistics and
 * formatting.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { ServerEntry } from './bundle.js';
import type { ClientMessage, RunRequest, RunResult } from './client.js';
import type { EchoMode, ServerMemory, ServerReply, ServerRequest } from './server.js';

export type Implementation = 'ours' | 'ws' | 'tcp';

export const NAMES: Record<Implementation, string> = { ours: 'wspipe', ws: 'ws', tcp: 'raw TCP echo' };

export function listFromEnv(name: string): number[] | null {
  const value = process.env[name];
  if (!value) return null;
  return value.split(',').map((item) => {
    const number = Number(item.trim());
    if (!Number.isInteger(number) || number <= 0) throw new Error(`${name}: not a positive integer: ${item}`);
    return number;
  });
}

/** A number >= 0 from the environment, or `fallback` when unset. */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: not a number >= 0: ${raw}`);
  return value;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A forked child and the next IPC message of a given type. */
export class Child<Message extends { type: string }> {
  private readonly waiters: Array<{ type: string; resolve: (message: Message) => void; reject: (error: Error) => void }> = [];
  private exited: Error | null = null;
  /** Called for messages no waiter asked for. */
  onOther: (message: Message) => void = () => {};

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    process.on('message', (message: Message) => {
      const index = this.waiters.findIndex((waiter) => waiter.type === message.type || message.type === 'error');
      if (index === -1) {
        this.onOther(message);
        return;
      }
      const [waiter] = this.waiters.splice(index, 1);
      if (message.type === 'error' && waiter!.type !== 'error') waiter!.reject(new Error(`${name}: ${(message as { message?: string }).message}`));
      else waiter!.resolve(message);
    });
    process.on('exit', (code, signal) => {
      this.exited = new Error(`${name} exited (${signal ?? code})`);
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.exited);
    });
  }

  next<T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiters.push({ type, resolve: resolve as (message: Message) => void, reject });
    });
  }

  send(message: object): void {
    this.process.send(message);
  }

  /** Sends `request` and waits for the reply of type `type`, failing after `timeoutMs`. */
  async ask<T extends Message['type']>(request: object, type: T, timeoutMs: number): Promise<Extract<Message, { type: T }>> {
    const reply = this.next(type);
    this.send(request);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name}: no '${type}' reply within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Forks a node child with an IPC channel. With `openFiles`, the child gets at least that
 * many file descriptors: when this process's soft limit (inherited) is lower, the child
 * starts through `sh -c 'ulimit -n N; exec node …'` (the IPC descriptor survives the
 * exec), and when the hard limit is lower too it throws a clear error instead. (Node
 * raises its own soft limit to the hard one at startup, so in practice only the hard
 * limit matters.)
 */
export function forkChild(script: string, args: string[], execArgv: string[], env: NodeJS.ProcessEnv, openFiles?: number): ChildProcess {
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
  const limits = openFiles === undefined ? null : openFileLimits();
  if (openFiles === undefined || limits === null || limits.soft >= openFiles) return fork(script, args, { execArgv, env, stdio });
  if (limits.hard < openFiles) {
    throw new Error(
      `${openFiles} file descriptors are needed but the hard limit is ${limits.hard} (soft ${limits.soft}); ` +
        `raise it first, e.g. \`ulimit -Hn ${openFiles}\` as root or in /etc/security/limits.conf`,
    );
  }
  return spawn('/bin/sh', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, ...execArgv, script, ...args], { env, stdio });
}

/** This process's limits on open files (from /proc/self/limits), or null where unknown. */
export function openFileLimits(): { soft: number; hard: number } | null {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return null;
    const value = (text: string): number => (text === 'unlimited' ? Infinity : Number(text));
    return { soft: value(match[1]!), hard: value(match[2]!) };
  } catch {
    return null;
  }
}

export interface Server {
  implementation: Implementation;
  child: Child<ServerReply>;
  port: number;
}

export function noBufferUtil(): boolean {
  return process.env.BENCH_ECHO_WS_NO_BUFFERUTIL === '1';
}

export interface StartOptions {
  /** permessage-deflate configuration of the server (server.ts's second argument). */
  mode?: EchoMode;
  /** Directory name under BENCH_ECHO_CPU_PROF for `--cpu-prof`, or null for none. */
  profileName?: string | null;
  /** Extra node flags, e.g. `--expose-gc`. */
  execArgv?: string[];
  /** File descriptors the server needs (see {@link forkChild}). */
  openFiles?: number;
}

export async function startServer(entry: ServerEntry, implementation: Implementation, options: StartOptions = {}): Promise<Server> {
  const env = { ...process.env };
  if (implementation === 'ws' && noBufferUtil()) env.WS_NO_BUFFER_UTIL = '1';
  const profileDir = process.env.BENCH_ECHO_CPU_PROF;
  const profileName = options.profileName ?? null;
  // One directory per server and row: every thread (tsx's loader runs one) writes a profile.
  const profile = profileDir && profileName ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir, profileName)}`] : [];
  // BENCH_ECHO_SERVER_FLAGS: more node flags for the servers, e.g. `--no-turbo-inlining` for profiles that attribute time to the function that spends it.
  const extra = (process.env.BENCH_ECHO_SERVER_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
  const child = new Child<ServerReply>(
    `${NAMES[implementation]} server`,
    forkChild(entry.script, [implementation, options.mode ?? 'plain'], [...entry.execArgv, ...profile, ...extra, ...(options.execArgv ?? [])], env, options.openFiles),
  );
  const listening = await child.next('listening');
  return { implementation, child, port: listening.port };
}

/** Stops a server; resolves with its memory just before it stopped (VmHWM is the peak). */
export async function stopServer(server: Server): Promise<ServerMemory> {
  const stopped = server.child.next('stopped');
  server.child.send({ type: 'stop' } satisfies ServerRequest);
  const reply = await stopped;
  await new Promise((resolve) => (server.child.process.exitCode !== null ? resolve(null) : server.child.process.once('exit', resolve)));
  return reply.memory;
}

/** The server's memory now; after a full GC first when `gc` (the server needs `--expose-gc`). */
export async function serverMemory(server: Server, gc: boolean): Promise<ServerMemory> {
  const reply = await server.child.ask({ type: 'memory', gc } satisfies ServerRequest, 'memory', 10_000);
  return reply.memory;
}

/** The server's CPU time so far, in seconds: all threads, and its main (JS) thread alone. */
export async function readServerCpu(server: Server): Promise<{ total: number; main: number }> {
  const reply = server.child.next('cpu');
  server.child.send({ type: 'cpu' } satisfies ServerRequest);
  const usage = await reply;
  return { total: (usage.userMicros + usage.systemMicros) / 1e6, main: usage.mainThreadMicros / 1e6 };
}

/**
 * One run of the load generator against one server; also measures the server's CPU over
 * the measured interval, as a fraction of one core: all threads, and the main thread.
 */
export async function runOnce(client: Child<ClientMessage>, server: Server, request: RunRequest): Promise<RunResult & { serverCpu: number; serverMainCpu: number }> {
  const cpuReadings: Array<Promise<{ cpu: { total: number; main: number }; at: number }>> = [];
  client.onOther = (message) => {
    if (message.type === 'phase') cpuReadings.push(readServerCpu(server).then((cpu) => ({ cpu, at: performance.now() })));
  };
  const result = client.next('result');
  client.send({ type: 'run', ...request });
  const { result: run } = await result;
  client.onOther = () => {};
  const [start, end] = await Promise.all(cpuReadings);
  const seconds = start && end ? (end.at - start.at) / 1000 : NaN;
  const serverCpu = start && end ? (end.cpu.total - start.cpu.total) / seconds : NaN;
  const serverMainCpu = start && end ? (end.cpu.main - start.cpu.main) / seconds : NaN;
  return { ...run, serverCpu, serverMainCpu };
}

/** Which `ws` the baseline is: its version, and whether its native addon loads. */
export function wsBaseline(): string {
  const requireFromWs = createRequire(import.meta.resolve('ws'));
  const version = (requireFromWs('ws/package.json') as { version: string }).version;
  if (noBufferUtil()) return `ws ${version} without bufferutil (BENCH_ECHO_WS_NO_BUFFERUTIL=1)`;
  try {
    requireFromWs('bufferutil');
    return `ws ${version} with bufferutil (its native unmask addon; BENCH_ECHO_WS_NO_BUFFERUTIL=1 to compare without)`;
  } catch {
    return `ws ${version} (bufferutil not installed: its JS unmask loop)`;
  }
}

export function formatBytes(bytes: number | undefined): string {
  return bytes === undefined ? '–' : `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}

export function formatCpu(fraction: number | undefined): string {
  return fraction !== undefined && Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : '–';
}
