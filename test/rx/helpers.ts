import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, filter, type Observable } from 'rxjs';
import type { Test } from 'uvu';
import type { Connection } from '../../src/connection/connection.js';
import { createServer, type WebSocketServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';

export interface TestServer {
  server: WebSocketServer;
  url: string;
  /** Every connection the server accepted, in order. */
  accepted: Connection[];
  close(): Promise<void>;
}

const open = new Set<TestServer>();

/** A wspipe server on 127.0.0.1, port 0. */
export async function startServer(onConnection?: (connection: Connection) => void, options: ServerOptions = {}): Promise<TestServer> {
  const accepted: Connection[] = [];
  const server = createServer({ host: '127.0.0.1', port: 0, ...options }, (connection) => {
    accepted.push(connection);
    onConnection?.(connection);
  });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const testServer: TestServer = {
    server,
    url: `ws://127.0.0.1:${port}/`,
    accepted,
    close: () => {
      open.delete(testServer);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(testServer);
  return testServer;
}

/** An echo server: text back as text, binary as binary. */
export function echo(connection: Connection): void {
  connection.on('message', (message) => connection.send(message.data));
}

/** Resource types that a finished test must not leave behind. */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'Immediate']);

function counts(): Map<string, number> {
  const result = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (WATCHED.has(type)) result.set(type, (result.get(type) ?? 0) + 1);
  return result;
}

/** What was running before the test (other suites may share the process). */
let baseline = new Map<string, number>();

function leaked(): string[] {
  return [...counts()].filter(([type, n]) => n > (baseline.get(type) ?? 0)).map(([type, n]) => `${type} ×${n - (baseline.get(type) ?? 0)}`);
}

/**
 * Registers the per-test hooks: note what runs before each test; after it, close the
 * servers a failed test left open (dropping their connections, so clients end too),
 * then wait (up to 2 s) for every socket, server and timer the test made to be gone.
 */
export function guardLeaks(suite: Test): void {
  let watchdog: NodeJS.Timeout | undefined;
  suite.before.each((context: { __test__?: string }) => {
    baseline = counts();
    // uvu has no test timeout: a regression that loses a message would hang the run.
    watchdog = setTimeout(() => {
      console.error(`\nTest "${context.__test__ ?? '?'}" did not finish within 15 s`);
      process.exit(1);
    }, 15_000).unref();
  });
  suite.after.each(async () => {
    clearTimeout(watchdog);
    for (const leftover of [...open]) {
      for (const connection of leftover.server.connections) connection.terminate();
      await leftover.close();
    }
    await assertNoLeaks();
  });
}

export async function assertNoLeaks(): Promise<void> {
  const deadline = Date.now() + 2000;
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const left = leaked();
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Leaked handles: ${left.join(', ')}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

/** The first value of `source` that passes `predicate`. */
export function when<T>(source: Observable<T>, predicate: (value: T) => boolean): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate)));
}

/** Polls `condition` (real I/O needs real time) until true, or fails after `ms`. */
export async function eventually(condition: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}

/** Collects the data of text messages a server connection receives. */
export function recordText(connection: Connection, into: string[]): void {
  connection.on('message', (message) => {
    if (message.type === 'text') into.push(message.data);
  });
}

/** Resolves with the close code/reason a server connection saw. */
export function closeOf(connection: Connection): Promise<{ code: number; reason: string; wasClean: boolean }> {
  return new Promise((resolve) => connection.once('close', (code, reason, wasClean) => resolve({ code, reason, wasClean })));
}
