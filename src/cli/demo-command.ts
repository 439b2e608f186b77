import type { CommandSpec, ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { DEFAULT_DEMO_MAX_MESSAGE_BYTES, startDemo } from './demo.js';
import { listenFlags, stopOnSignals, urlHost } from './serve.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'Serve a live chat page and its WebSocket endpoint (what `npm start` runs).',
  operands: [],
  flags: [
    ...listenFlags(8080),
    {
      name: 'max-payload',
      kind: 'integer',
      placeholder: 'BYTES',
      min: 1,
      default: DEFAULT_DEMO_MAX_MESSAGE_BYTES,
      help: 'longest chat message; the page enforces it, the server closes a longer one with 1009',
    },
  ],
  details: `The page is at http://HOST:PORT/ and its WebSocket at ws://HOST:PORT/ws (subprotocol "chat",
permessage-deflate accepted). The first line on stdout, "wspipe demo: open http://HOST:PORT/ …",
says where, with the real port. SIGINT or SIGTERM closes the pages' connections with 1001
(they reconnect when the demo is back) and exits 0. Exit status: 1 if it cannot start, 2 on a
usage error.`,
};

async function run(args: ParsedArgs): Promise<number> {
  const host = args.string('host')!;
  const demo = await startDemo({ host, port: args.integer('port')!, maxMessageBytes: args.integer('max-payload')! });
  const origin = `${urlHost(host)}:${demo.port}`;
  process.stdout.write(`wspipe demo: open http://${origin}/ in a browser (WebSocket at ws://${origin}/ws)\n`);
  stopOnSignals(demo.stop, (line) => process.stderr.write(`${line}\n`));
  return new Promise<number>(() => {});
}

export const demoCommand: Command = { spec, run };
