import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { HandshakeError } from '../handshake/index.js';
import { DEFAULT_MAX_PAYLOAD } from '../transforms/limits.js';
import { UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { describeCloseCode } from './close-code-words.js';
import type { Command } from './command.js';
import { startEchoServer } from './echo-server.js';
import { readFlagFile } from './flag-file.js';
import { boundPort, closeGracefully, hostPort, listenFlags, stopOnSignals, urlHost } from './serve.js';
import { printable } from './terminal-text.js';

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
  ],
  details: `Output: the first line on stdout is "listening on ws://HOST:PORT/" (wss:// with TLS) once the
server accepts connections; with --port 0 it names the port chosen. Each connection's open
(peer address, subprotocol, extensions) and close (code, reason, clean or not) are logged on
stderr, unless --quiet.

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

async function run(args: ParsedArgs): Promise<number> {
  const host = args.string('host')!;
  const tls = tlsOptions(args);
  const quiet = args.flag('quiet');
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const server = await startEchoServer({
    host,
    port: args.integer('port')!,
    maxPayload: args.integer('max-payload')!,
    perMessageDeflate: args.flag('deflate'),
    ...(tls ? { tls } : {}),
  });
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
  process.stdout.write(`listening on ${tls ? 'wss' : 'ws'}://${urlHost(host)}:${boundPort(server.address())}/\n`);
  stopOnSignals(() => closeGracefully(server), log);
  return new Promise<number>(() => {});
}

export const echoCommand: Command = { spec, run };
