import type { CommandSpec, ParsedArgs } from './args.js';

/** One `wspipe` command: its table (flags, usage) and what it does; resolves with the exit code. */
export interface Command {
  readonly spec: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** Exit codes, the same for every command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
