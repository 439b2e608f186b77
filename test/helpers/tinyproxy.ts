/**
 * A real HTTP CONNECT proxy for the proxy tests: Debian's tinyproxy, started in the
 * foreground on 127.0.0.1 and a free port with a config file generated in a temporary
 * directory (Basic authentication, only 127.0.0.1 allowed, CONNECT only to the given
 * ports), and stopped by `stop()`. Not skipped when missing: `.ci/run` installs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, withTimeout } from './timeouts.js';

export interface TinyProxy {
  port: number;
  /** http://USER:PASS@127.0.0.1:PORT */
  url: string;
  /** The same proxy without credentials. */
  bareUrl: string;
  /** What tinyproxy logged so far (each CONNECT it served names its target). */
  log(): string;
  stop(): Promise<void>;
}

export interface TinyProxyOptions {
  user: string;
  password: string;
  /** The only ports CONNECT may reach (others get 403). */
  connectPorts: readonly number[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startTinyProxy(options: TinyProxyOptions): Promise<TinyProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'wspipe-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    'MaxClients 64',
    'LogLevel Info',
    `LogFile "${logFile}"`,
    'Allow 127.0.0.1',
    `BasicAuth ${options.user} ${options.password}`,
    ...options.connectPorts.map((allowed) => `ConnectPort ${allowed}`),
  ];
  const configFile = join(dir, 'tinyproxy.conf');
  writeFileSync(configFile, `${config.join('\n')}\n`);
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`tinyproxy could not start (apt-get install tinyproxy; .ci/run does): ${error.message}`))));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await withTimeout(exited, 5000, 'tinyproxy to exit').catch(() => child.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await withTimeout(
      Promise.race([
        spawnFailed,
        (async () => {
          while (!(await accepting(port))) await delay(20);
        })(),
      ]),
      5000,
      'tinyproxy to accept connections',
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; tinyproxy said: ${stderr.trim() || '(nothing)'}`);
  }
  const credentials = `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}`;
  return {
    port,
    url: `http://${credentials}@127.0.0.1:${port}`,
    bareUrl: `http://127.0.0.1:${port}`,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop,
  };
}
