#!/usr/bin/env node
/**
 * `wspipe`: the command line. Usage and help go to stdout with exit 0; mistakes in the
 * command line go to stderr (one line naming the problem, then the usage) with exit 2;
 * failures at run time (a refused handshake, a port in use) exit 1.
 */
import { commandUsage, parseArgs, table, UsageError, wantsHelp, type CommandSpec } from './cli/args.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command } from './cli/command.js';
import { connectCommand } from './cli/connect-command.js';
import { demoCommand } from './cli/demo-command.js';
import { echoCommand } from './cli/echo-command.js';
import { packageVersion } from './cli/version.js';

const COMMANDS: readonly Command[] = [echoCommand, connectCommand, demoCommand];

function mainUsage(): string {
  return `usage: wspipe <command> [options] [arguments]
       wspipe help [command]
       wspipe --version

The WebSocket protocol (RFC 6455, RFC 7692 permessage-deflate) from the command line.

commands:
${table(COMMANDS.map((command) => [command.spec.name, command.spec.summary]))}

options:
${table([
  ['-h, --help', 'print this help (after a command: that command\'s help) and exit'],
  ['-v, --version', "print wspipe's version and exit"],
])}

Exit status: 0 success, 1 failure (connection, handshake, server start), 2 usage error.
Run 'wspipe help COMMAND' for a command's options.
`;
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return command;
}

function print(text: string): number {
  process.stdout.write(text);
  return EXIT_OK;
}

function help(rest: readonly string[]): number {
  if (rest.length === 0 || wantsHelp(rest)) return print(mainUsage());
  if (rest.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(rest[1])}`);
  return print(commandUsage(findCommand(rest[0]!).spec));
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing command');
  if (first === 'help' || first === '--help' || first === '-h') return help(rest);
  if (first === '--version' || first === '-v') {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    return print(`${packageVersion()}\n`);
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`);
  const command = findCommand(first);
  if (wantsHelp(rest)) return print(commandUsage(command.spec));
  return command.run(parseArgs(command.spec, rest));
}

function fail(error: unknown, command: CommandSpec | undefined): never {
  const prefix = command ? `wspipe ${command.name}` : 'wspipe';
  if (error instanceof UsageError) {
    const spec = error.command ?? command;
    process.stderr.write(`${prefix}: ${error.message}\n\n${spec ? commandUsage(spec) : mainUsage()}`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_FAILURE);
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => process.exit(code),
  (error: unknown) => fail(error, COMMANDS.find((command) => command.spec.name === argv[0])?.spec),
);
