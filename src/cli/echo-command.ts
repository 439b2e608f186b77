import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { HandshakeError } from '../handshake/index.js';
import { DEFAULT_MAX_PAYLOAD } from '../transforms/limits.js';
import { UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { describeCloseCode } from './close-code-words.js';
import type { Command } from './command.js';
import type { Broker } from '../topics/broker.js';
import { BROADCAST_TOPIC, startEchoServer } from './echo-server.js';
import { readFlagFile } from './flag-file.js';
import { boundPort, closeGracefully, hostPort, listenFlags, stopOnSignals, urlHost } from './serve.js';
import { printable } from './terminal-text.js';
import { isWorker, onStopRequest, reportListening, runPrimary, workerId } from './workers.js';

const spec: CommandSpec = {
  name: 'echo',
  summary: 'Run an echo server: text back as text, binary as binary, close codes echoed.',
  operands: [],
  flags: [
    ...listenFlags(9001),
    { name: 'deflate', kind: 'boolean', help: 'accept permessage-deflate compression (RFC 7692)' },
    { name: 'max-payload', kind: 'integer', placeholder: 'BYTES', default: DEFAULT_MAX_PAYLOAD, help: 'largest message accepted; a larger one closes the connection with 1009' },
    { name: 'tls-cert', kind: 'string', placeholder: 'FILE', help: 'serve wss:// with this PEM certificate (chain); needs --tls-key' },
    { name: 'tls-key', kind: 'string', placeholder: 'FILE', help: 'the PEM private key of --tls-cert' },
    { name: 'quiet', kind: 'boolean', help: 'do not log connections on stderr' },
    { name: 'broadcast', kind: 'boolean', help: `send every message to every connection (all subscribe to the topic "${BROADCAST_TOPIC}"), not only back` },
    { name: 'workers', kind: 'integer', placeholder: 'N', min: 1, max: 256, default: 1, help: 'run N processes (node:cluster) sharing the port' },
    { name: 'redis', kind: 'string', placeholder: 'URL', help: 'share topics with every server on this Redis (redis://HOST:PORT); needs the redis package' },
  ],
  details: `Output: the first line on stdout is "listening on ws://HOST:PORT/" (wss:// with TLS) once the
server accepts connections; with --port 0 it names the port chosen. Each connection's open
(peer address, subprotocol, extensions) and close (code, reason, clean or not) are logged on
stderr, unless --quiet.

With --workers N, N processes share the port (connections are handed out round-robin) and
the listening line comes once all of them listen; a worker that dies is replaced. With
--broadcast and --workers above 1, --redis is required: the topic spans the workers through
Redis. With --redis, the listening line waits until the topic is read from Redis.

SIGINT or SIGTERM closes every connection with 1001 (going away), waits briefly for the close
handshakes, and exits 0. Exit status: 1 if the server cannot start, 2 on a usage error.`,
};

function tlsOptions(args: ParsedArgs): SecureContextOptions | undefined {
  const cert = readFlagFile(args, 'tls-cert');
  const key = readFlagFile(args, 'tls-key');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UsageError(`--tls-cert and --tls-key go together`, spec);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new UsageError(`--tls-cert/--tls-key: ${(error as Error).message}`, spec);
  }
  return { cert, key };
}

/** The Redis broker of --redis, loaded only then (redis is an optional peer dependency). */
async function redisBroker(url: string, log: (line: string) => void): Promise<Broker & { on(event: 'subscribed', listener: (topic: string) => void): unknown }> {
  let module: typeof import('../redis/index.js');
  try {
    module = await import('../redis/index.js');
  } catch (error) {
    throw new Error(`--redis needs the redis package (npm install redis): ${(error as Error).message}`);
  }
  const broker = module.createRedisBroker({ url });
  let reported = false;
  broker.on('error', (error) => {
    // Once per outage: the client retries by itself.
    if (!reported) log(`redis: ${error.message}; retrying`);
    reported = true;
  });
  broker.on('ready', () => (reported = false));
  return broker;
}

async function run(args: ParsedArgs): Promise<number> {
  const host = args.string('host')!;
  const tls = tlsOptions(args);
  const quiet = args.flag('quiet');
  const workers = args.integer('workers')!;
  const mode = args.flag('broadcast') ? 'broadcast' : 'echo';
  const redisUrl = args.string('redis');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, not ${JSON.stringify(redisUrl)}`, spec);
  if (mode === 'broadcast' && workers > 1 && redisUrl === undefined) throw new UsageError('--broadcast with --workers above 1 needs --redis URL: the topic spans the workers through Redis', spec);
  const prefix = isWorker() ? `[worker ${workerId()}] ` : '';
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${prefix}${line}\n`);
  };
  const scheme = tls ? 'wss' : 'ws';
  if (workers > 1 && !isWorker()) {
    return runPrimary(workers, (port) => process.stdout.write(`listening on ${scheme}://${urlHost(host)}:${port}/\n`), (line) => !quiet && process.stderr.write(`${line}\n`));
  }
  const broker = redisUrl === undefined ? undefined : await redisBroker(redisUrl, log);
  const reading = broker === undefined || mode !== 'broadcast' ? null : new Promise<void>((resolve) => broker.on('subscribed', (topic) => topic === BROADCAST_TOPIC && resolve()));
  const server = await startEchoServer(
    {
      host,
      port: args.integer('port')!,
      maxPayload: args.integer('max-payload')!,
      perMessageDeflate: args.flag('deflate'),
      ...(tls ? { tls } : {}),
      ...(broker ? { broker } : {}),
    },
    mode,
  );
  // With a broker, the topic is read from the start: what other servers publish reaches the first client.
  if (reading) server.subscribe(BROADCAST_TOPIC, () => {});
  await reading;
  server.on('connection', (connection) => {
    const peer = hostPort(connection.remoteAddress, connection.remotePort);
    log(`${peer} open, protocol: ${connection.protocol || 'none'}, extensions: ${connection.extensions || 'none'}`);
    connection.on('close', (code, reason, wasClean) => {
      log(`${peer} closed: ${describeCloseCode(code)}${reason ? `, reason "${printable(reason)}"` : ''}, ${wasClean ? 'clean' : 'not clean'}`);
    });
  });
  server.on('handshakeError', (error) => {
    const status = error instanceof HandshakeError ? ` (${error.statusCode})` : '';
    log(`handshake refused${status}: ${printable(error.message)}`);
  });
  const port = boundPort(server.address());
  const stop = stopOnSignals(() => closeGracefully(server), log);
  if (isWorker()) {
    onStopRequest(stop);
    reportListening(port);
  } else {
    process.stdout.write(`listening on ${scheme}://${urlHost(host)}:${port}/\n`);
  }
  return new Promise<number>(() => {});
}

export const echoCommand: Command = { spec, run };
