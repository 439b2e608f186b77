/**
 * The CLI's argument parser: one table per command ({@link CommandSpec}) declares its
 * operands and flags, and both parsing and the usage text come from it. Strict, as Unix
 * tools are: an unknown flag, a missing or malformed value, a flag given twice that is
 * not repeatable, or a missing or extra operand is a {@link UsageError} (exit 2).
 */

export type FlagKind = 'boolean' | 'string' | 'integer';

export interface FlagSpec {
  /** The long name, without `--`. */
  readonly name: string;
  readonly kind: FlagKind;
  /** What the value is called in the usage text (`BYTES`, `FILE`). */
  readonly placeholder?: string;
  /** May be given several times; the values are kept in order. */
  readonly repeatable?: boolean;
  /** The value when the flag is left out (shown in the usage text). */
  readonly default?: string | number;
  /** Bounds of an integer value (inclusive). */
  readonly min?: number;
  readonly max?: number;
  readonly help: string;
}

export interface OperandSpec {
  readonly name: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line: what the command does. */
  readonly summary: string;
  /** Required positional arguments, in order. */
  readonly operands: readonly OperandSpec[];
  readonly flags: readonly FlagSpec[];
  /** Paragraphs after the options: output format, exit codes. */
  readonly details?: string;
}

/** A mistake in the command line: the CLI prints it, then the usage, and exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandSpec,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Every command takes these; they are not in the tables. */
const HELP_FLAGS = new Set(['--help', '-h']);

export class ParsedArgs {
  constructor(
    readonly spec: CommandSpec,
    readonly operands: readonly string[],
    private readonly values: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** Whether a boolean flag was given. */
  flag(name: string): boolean {
    this.declared(name, 'boolean');
    return this.values.has(name);
  }

  /** A string flag's value, its default, or undefined. */
  string(name: string): string | undefined {
    const flag = this.declared(name, 'string');
    return this.values.get(name)?.[0] ?? (flag.default === undefined ? undefined : String(flag.default));
  }

  /** Every value of a repeatable string flag, in order. */
  strings(name: string): readonly string[] {
    this.declared(name, 'string');
    return this.values.get(name) ?? [];
  }

  /** An integer flag's value (checked when parsed), its default, or undefined. */
  integer(name: string): number | undefined {
    const flag = this.declared(name, 'integer');
    const value = this.values.get(name)?.[0];
    if (value !== undefined) return Number(value);
    return typeof flag.default === 'number' ? flag.default : undefined;
  }

  /** Whether the user gave the flag (rather than its default applying). */
  given(name: string): boolean {
    this.declared(name);
    return this.values.has(name);
  }

  private declared(name: string, kind?: FlagKind): FlagSpec {
    const flag = this.spec.flags.find((candidate) => candidate.name === name);
    // A programming error in a command, not a user mistake.
    if (!flag || (kind !== undefined && flag.kind !== kind)) throw new Error(`wspipe ${this.spec.name} has no ${kind ?? ''} flag --${name}`);
    return flag;
  }
}

/** Whether `argv` asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

/** Parses a command's arguments (after the command name) against its table. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const fail = (message: string): never => {
    throw new UsageError(message, spec);
  };
  const operands: string[] = [];
  const values = new Map<string, string[]>();
  let onlyOperands = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyOperands || arg === '-' || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyOperands = true;
      continue;
    }
    if (!arg.startsWith('--')) fail(`unknown option ${arg}`);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const flag = spec.flags.find((candidate) => candidate.name === name) ?? fail(`unknown option --${name}`);
    let value: string;
    if (flag.kind === 'boolean') {
      if (equals !== -1) fail(`--${name} takes no value`);
      value = '';
    } else if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = argv[i + 1];
      // `--port --deflate` is a forgotten value, not a port named "--deflate".
      if (next === undefined || (next.startsWith('--') && next.length > 2)) fail(`--${name} needs a value (${flag.placeholder ?? 'VALUE'})`);
      value = next!;
      i++;
    }
    if (flag.kind === 'integer') checkInteger(flag, value, fail);
    const list = values.get(name);
    if (list && !flag.repeatable) fail(`--${name} given more than once`);
    if (list) list.push(value);
    else values.set(name, [value]);
  }
  if (operands.length > spec.operands.length) fail(`unexpected argument ${JSON.stringify(operands[spec.operands.length])}`);
  if (operands.length < spec.operands.length) fail(`missing ${spec.operands[operands.length]!.name}`);
  return new ParsedArgs(spec, operands, values);
}

function checkInteger(flag: FlagSpec, value: string, fail: (message: string) => never): void {
  const min = flag.min ?? 0;
  const max = flag.max ?? Number.MAX_SAFE_INTEGER;
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number < min || number > max) {
    const range = flag.max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    fail(`--${flag.name} must be an integer ${range}, not ${JSON.stringify(value)}`);
  }
}

/** The usage text of one command, generated from its table. */
export function commandUsage(spec: CommandSpec): string {
  const operands = spec.operands.map((operand) => ` ${operand.name}`).join('');
  const rows: Array<[string, string]> = spec.flags.map((flag) => {
    const left = flag.kind === 'boolean' ? `--${flag.name}` : `--${flag.name} ${flag.placeholder ?? 'VALUE'}`;
    const notes = [flag.repeatable ? '[repeatable]' : '', flag.default === undefined ? '' : `[default ${flag.default}]`].filter(Boolean);
    return [left, [flag.help, ...notes].join(' ')];
  });
  rows.push(['-h, --help', 'print this help and exit']);
  const sections = [`usage: wspipe ${spec.name} [options]${operands}`, spec.summary];
  if (spec.operands.length > 0) sections.push(`arguments:\n${table(spec.operands.map((operand) => [operand.name, operand.help]))}`);
  sections.push(`options:\n${table(rows)}`);
  if (spec.details) sections.push(spec.details);
  return `${sections.join('\n\n')}\n`;
}

/** Two columns, the first padded to the widest entry. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}
