#!/usr/bin/env node
import { parseArgs, numberOption, stringOption } from './cli/args.js';
import { runConnect } from './cli/connect-command.js';
import { startDemo } from './cli/demo.js';
import { startEchoServer } from './cli/echo-server.js';
import { DEFAULT_MAX_PAYLOAD } from './transforms/limits.js';

const USAGE = `usage:
  wspipe echo [--host 127.0.0.1] [--port 9001] [--deflate] [--max-payload BYTES]
  wspipe connect URL [--protocol P] [--deflate]
  wspipe demo [--host 127.0.0.1] [--port 8080]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, new Set(['deflate', 'help']));
  if (command === 'echo') {
    const host = stringOption(args, 'host', '127.0.0.1');
    const server = await startEchoServer({
      host,
      port: numberOption(args, 'port', 9001),
      maxPayload: numberOption(args, 'max-payload', DEFAULT_MAX_PAYLOAD),
      perMessageDeflate: args.options.has('deflate'),
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    console.log(`listening on ws://${host.includes(':') ? `[${host}]` : host}:${port}/`);
    const stop = (): void => void server.close(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return new Promise(() => {});
  }
  if (command === 'connect') {
    const url = args.positional[0];
    if (!url) throw new Error('connect needs a URL');
    return runConnect(url, { protocol: stringOption(args, 'protocol', ''), deflate: args.options.has('deflate') });
  }
  if (command === 'demo') {
    const host = stringOption(args, 'host', '127.0.0.1');
    const port = numberOption(args, 'port', 8080);
    const { http, ws } = await startDemo(port, host);
    console.log(`wspipe demo: open http://${host}:${port}/ in a browser (WebSocket at ws://${host}:${port}/ws)`);
    const stop = (): void => void ws.close(() => http.close(() => process.exit(0)));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return new Promise(() => {});
  }
  console.error(USAGE);
  return command === undefined || args.options.has('help') ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`wspipe: ${error.message}`);
    process.exit(1);
  },
);
