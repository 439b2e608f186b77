import { connect, DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, type ConnectOptions } from '../client/connect.js';
import { isProxyUrl } from '../client/proxy.js';
import { buildUpgradeRequest, HandshakeError, isToken, type UpgradeRequestOptions } from '../handshake/index.js';
import { DEFAULT_MAX_PAYLOAD } from '../transforms/limits.js';
import { UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { EXIT_FAILURE, type Command } from './command.js';
import { runSession } from './connect-session.js';
import { readFlagFile } from './flag-file.js';
import { printable } from './terminal-text.js';

const spec: CommandSpec = {
  name: 'connect',
  summary: 'Connect to a server: stdin lines go out as text messages, what comes back is printed.',
  operands: [{ name: 'URL', help: 'the server: ws://HOST[:PORT][/PATH] or wss://…' }],
  flags: [
    { name: 'protocol', kind: 'string', placeholder: 'P', repeatable: true, help: 'offer subprotocol P; repeat to offer several, most preferred first' },
    { name: 'header', kind: 'string', placeholder: "'NAME: VALUE'", repeatable: true, help: 'add a header to the upgrade request' },
    { name: 'deflate', kind: 'boolean', help: 'offer permessage-deflate compression (RFC 7692)' },
    { name: 'ca', kind: 'string', placeholder: 'FILE', help: 'trust the CA certificate(s) in this PEM file for wss://' },
    { name: 'proxy', kind: 'string', placeholder: 'URL', help: "tunnel through this HTTP proxy (http://[USER:PASS@]HOST:PORT), or 'env' to use HTTPS_PROXY, HTTP_PROXY and NO_PROXY" },
    { name: 'insecure', kind: 'boolean', help: "do not verify the wss:// server's certificate (prints a warning)" },
    { name: 'max-payload', kind: 'integer', placeholder: 'BYTES', default: DEFAULT_MAX_PAYLOAD, help: 'largest message accepted; a larger one closes the connection with 1009' },
    { name: 'handshake-timeout', kind: 'integer', placeholder: 'MS', min: 1, default: DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, help: 'give up on the opening handshake after MS milliseconds' },
  ],
  details: `Output: received messages go to stdout. When stdout is a terminal they are marked "< ", and the
lines sent are shown marked "> "; when stdout is a pipe or a file each message is printed as
it is, one per line, so the output composes with other tools. Binary messages are printed as
"<binary N bytes: HEX…>" (the first 32 bytes in hex). Control characters from the server (C0
except tab, DEL and C1, so ANSI escape sequences and newlines too) are printed as escapes such
as \\x1b, \\x0a or \\u0085, never raw, in messages and in close reasons alike. Connection status
(connected, closed, errors) goes to stderr.

The end of stdin (Ctrl-D) closes the connection with 1000, and so does Ctrl-C (a second Ctrl-C
exits at once).

Exit status: 0 when the connection ends with a clean close handshake and code 1000 (or no
code); 1 when it ends any other way (dropped, failed, another close code) or cannot be opened
(refused handshake, network or TLS error, timeout); 2 on a usage error.`,
};

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid URL ${JSON.stringify(text)}`, spec);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`URL must start with ws:// or wss://, not ${JSON.stringify(text)}`, spec);
  return url;
}

/** `--header 'Name: value'` lines as request headers (a repeated name sends several lines). */
function parseHeaders(lines: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    if (!isToken(name)) throw new UsageError(`--header must look like 'Name: value', not ${JSON.stringify(line)}`, spec);
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return headers;
}

/** The request the handshake module would build, checked flag by flag to name the culprit. */
function checkRequest(url: URL, checks: ReadonlyArray<readonly [flag: string, options: UpgradeRequestOptions]>): void {
  for (const [flag, options] of checks) {
    try {
      buildUpgradeRequest(url, options);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`, spec);
    }
  }
}

/** Certificate problems that --ca or --insecure address. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** One line saying why the connection could not be opened. */
function describeConnectError(url: URL, error: unknown): string {
  const message = printable(error instanceof Error ? error.message.trim() : String(error));
  const code = (error as { code?: unknown }).code;
  if (error instanceof HandshakeError && error.code === 'WS_ERR_PROXY_REFUSED') return `proxy refused (HTTP ${error.statusCode}): ${message}`;
  if (error instanceof HandshakeError) return `handshake failed${error.statusCode > 0 ? ` (HTTP ${error.statusCode})` : ''}: ${message}`;
  if (typeof code === 'string' && code.startsWith('HPE_')) return `handshake failed: ${url.host} did not answer with HTTP (${message})`;
  if (typeof code === 'string' && CERTIFICATE_ERRORS.has(code)) {
    return `cannot connect to ${url.href}: ${message} (trust its CA with --ca FILE, or skip the check with --insecure)`;
  }
  return `cannot connect to ${url.href}: ${message}`;
}

async function run(args: ParsedArgs): Promise<number> {
  const url = parseUrl(args.operands[0]!);
  const protocols = args.strings('protocol');
  const headers = parseHeaders(args.strings('header'));
  checkRequest(url, [
    ['--protocol', { protocols }],
    ['--header', { headers }],
  ]);
  const proxy = args.string('proxy');
  if (proxy !== undefined && !isProxyUrl(proxy)) throw new UsageError(`--proxy must be an http:// proxy URL or 'env', not ${JSON.stringify(proxy)}`, spec);
  const ca = readFlagFile(args, 'ca');
  const insecure = args.flag('insecure');
  if (insecure && url.protocol === 'wss:') {
    process.stderr.write("wspipe connect: warning: --insecure: the server's certificate is not verified; anyone on the path can read and change this connection\n");
  }
  const options: ConnectOptions = {
    perMessageDeflate: args.flag('deflate'),
    maxPayload: args.integer('max-payload')!,
    handshakeTimeout: args.integer('handshake-timeout')!,
    ...(protocols.length > 0 ? { protocols } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(ca ? { ca } : {}),
    ...(proxy !== undefined ? { proxy } : {}),
    ...(insecure ? { rejectUnauthorized: false } : {}),
  };
  let connection;
  try {
    connection = await connect(url, options);
  } catch (error) {
    process.stderr.write(`wspipe connect: ${describeConnectError(url, error)}\n`);
    return EXIT_FAILURE;
  }
  return runSession(connection, url);
}

export const connectCommand: Command = { spec, run };
