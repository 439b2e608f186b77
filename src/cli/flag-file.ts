import { readFileSync } from 'node:fs';
import { UsageError, type ParsedArgs } from './args.js';

/** The contents of the file a flag names (undefined when the flag is not given). */
export function readFlagFile(args: ParsedArgs, name: string): Buffer | undefined {
  const file = args.string(name);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`--${name}: cannot read ${JSON.stringify(file)}: ${(error as Error).message}`, args.spec);
  }
}
