/**
 * A real Redis for the broker tests: Debian's `redis-server`, on 127.0.0.1 and a free
 * port, in a temporary directory, with no persistence (`--save '' --appendonly no`, so a
 * restart comes back empty), killed at the end. It can be killed and started again on
 * the same port in the middle of a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild, type ChildRun } from './child-process.js';

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** SIGKILL: no goodbye to the clients, nothing saved. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty); kills it first if it runs. */
  restart(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

const READY = /Ready to accept connections/;
const START_MS = 10_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wspipe-redis-'));
  const port = await freePort();
  let child: ChildRun | null = null;
  const onExit = (): void => child?.kill();
  process.once('exit', onExit);

  const start = async (): Promise<void> => {
    const run = runChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice']);
    child = run;
    try {
      await run.waitForLine(READY, START_MS);
    } catch (error) {
      run.kill();
      throw error;
    }
  };
  const kill = async (): Promise<void> => {
    const run = child;
    child = null;
    if (run === null) return;
    run.kill();
    await run.exited(5000).catch(() => {});
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
