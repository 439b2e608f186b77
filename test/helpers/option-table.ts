/**
 * Table-driven option checks: every option of an entry point is a row with values of a
 * wrong type (a TypeError `ERR_INVALID_ARG_TYPE` naming the option's path), values out of
 * range (a RangeError `ERR_OUT_OF_RANGE` naming the path and stating the accepted range)
 * and one good value (accepted, and the entry point then works). The rows are written
 * from what a user needs to read, not from the library's strings: the tests match the
 * option's path and the range's numbers with regexes.
 */
import * as assert from 'uvu/assert';

/** Options as a test builds them: any shape, since wrong values are the point. */
export type Options = Record<string, unknown>;

export interface OptionRow<P extends string = string> {
  /** The option's path as an error must name it: `maxPayload`, `perMessageDeflate.level`, `stages.decode[0].after`. */
  readonly path: P;
  /** Values of a type the option does not take (`undefined` for an option that must be given). */
  readonly wrongType: readonly unknown[];
  /** Values of the right type outside what the option accepts. */
  readonly outOfRange?: readonly unknown[];
  /** What the RangeError must state of the accepted range (its bounds, its words). */
  readonly range?: RegExp;
  /** A value the entry point accepts and works with (left out only with `noGoodValue`). */
  readonly good?: unknown;
  /** Why the option has no acceptable value at this entry point (it is refused whatever its value). */
  readonly noGoodValue?: string;
  /** The other options the row needs: the required rest of a nested object, the server a TLS option needs... */
  readonly with?: Options;
  /**
   * A defect of the library this row shows today (reported, not fixed yet): the row
   * then passes only while at least one of its expectations still fails, so fixing the
   * defect turns it red until this note is removed. The expectations stay the real ones.
   */
  readonly gap?: string;
}

/** One row, its path kept as a literal type (for the coverage checks at the type level). */
export function row<const P extends string>(path: P, spec: Omit<OptionRow<P>, 'path'>): OptionRow<P> {
  return { path, ...spec };
}

/** How the table calls an entry point. */
export interface EntryPoint<Context = undefined> {
  readonly name: string;
  /** Options every call gets (a role, a host...), under the row's. */
  readonly base?: Options;
  /** Sets up what a call needs (a server, a connection) before each call. */
  prepare?(): Promise<Context>;
  /**
   * Calls the entry point with `options`. It refuses them by throwing at the call (or,
   * with `refusesBy: 'rejection'`, by the returned promise rejecting); when it accepts
   * them, the promise resolves once the entry point was seen to work and everything the
   * call started is stopped.
   */
  call(options: Options, context: Context): Promise<void>;
  /** Stops what `prepare` started, after each call, refused or not. */
  dispose?(context: Context): Promise<void>;
  readonly refusesBy?: 'throw' | 'rejection';
}

type Segment = string | number;

function segments(path: string): Segment[] {
  const out: Segment[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new Error(`Bad option path ${path}`);
    out.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** A copy of `options` with `value` at `path`; the objects and arrays on the way are copied, not shared. */
export function withValue(options: Options, path: string, value: unknown): Options {
  const keys = segments(path);
  const root: Options = { ...options };
  let container: Record<Segment, unknown> = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const existing = container[key];
    const copy = Array.isArray(existing)
      ? [...existing]
      : typeof existing === 'object' && existing !== null
        ? { ...existing }
        : typeof keys[i + 1] === 'number'
          ? []
          : {};
    container[key] = copy;
    container = copy as Record<Segment, unknown>;
  }
  container[keys[keys.length - 1]!] = value;
  return root;
}

/** `with`'s nested objects merged into the base's, one level deep (a row completes a nested object). */
function merged(base: Options, extra: Options): Options {
  const out: Options = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    const bothObjects = [current, value].every((item) => typeof item === 'object' && item !== null && !Array.isArray(item) && !Buffer.isBuffer(item));
    out[key] = bothObjects ? { ...(current as Options), ...(value as Options) } : value;
  }
  return out;
}

/** The path as a whole name in a message: `level` does not match inside `perMessageDeflate.level`, nor `stages` inside `stages.decode`. */
export function namesPath(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.\\]])${escaped}(?![\\w.\\[])`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor === Object ? '{...}' : `a ${value.constructor.name}`;
}

/** What went wrong with one value, or null when the entry point refused it as the row says. */
async function refusal<C>(entry: EntryPoint<C>, options: Options, row: OptionRow, value: unknown, kind: 'type' | 'range'): Promise<string | null> {
  const context = (await entry.prepare?.()) as C;
  try {
    return await refusalIn(entry, context, options, row, value, kind);
  } finally {
    await entry.dispose?.(context);
  }
}

async function refusalIn<C>(entry: EntryPoint<C>, context: C, options: Options, row: OptionRow, value: unknown, kind: 'type' | 'range'): Promise<string | null> {
  const what = `${entry.name} with ${row.path} = ${show(value)}`;
  let error: unknown;
  let accepted: Promise<void> | undefined;
  try {
    accepted = entry.call(options, context);
  } catch (thrown) {
    if (entry.refusesBy === 'rejection') return `${what}: threw at the call instead of rejecting: ${String(thrown)}`;
    error = thrown;
  }
  if (accepted !== undefined) {
    try {
      await accepted;
      return `${what}: accepted`;
    } catch (rejected) {
      if (entry.refusesBy !== 'rejection') return `${what}: not refused at the call; failed later with ${String(rejected)}`;
      error = rejected;
    }
  }
  const expected = kind === 'type' ? { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' } : { type: RangeError, code: 'ERR_OUT_OF_RANGE' };
  if (!(error instanceof expected.type)) return `${what}: expected a ${expected.type.name}, got ${String(error)}`;
  const { code, message } = error as Error & { code?: unknown };
  if (code !== expected.code) return `${what}: code ${String(code)}, expected ${expected.code} (${message})`;
  if (!namesPath(row.path).test(message)) return `${what}: the message does not name "${row.path}": ${message}`;
  if (kind === 'range' && row.range && !row.range.test(message)) return `${what}: the message does not state the range ${row.range}: ${message}`;
  return null;
}

/** Every expectation of the row that does not hold. */
export async function rowFailures<C>(entry: EntryPoint<C>, row: OptionRow): Promise<string[]> {
  const options = merged(entry.base ?? {}, row.with ?? {});
  const failures: string[] = [];
  for (const value of row.wrongType) {
    const failure = await refusal(entry, withValue(options, row.path, value), row, value, 'type');
    if (failure) failures.push(failure);
  }
  for (const value of row.outOfRange ?? []) {
    const failure = await refusal(entry, withValue(options, row.path, value), row, value, 'range');
    if (failure) failures.push(failure);
  }
  if ('good' in row) {
    const context = (await entry.prepare?.()) as C;
    try {
      await entry.call(withValue(options, row.path, row.good), context);
    } catch (error) {
      failures.push(`${entry.name} with ${row.path} = ${show(row.good)} (a good value): ${String(error)}`);
    } finally {
      await entry.dispose?.(context);
    }
  }
  return failures;
}

/** Runs a row: its expectations hold; or, for a row with a gap, the gap is still there. */
export async function checkRow<C>(entry: EntryPoint<C>, row: OptionRow): Promise<void> {
  const failures = await rowFailures(entry, row);
  if (row.gap === undefined) {
    assert.ok(failures.length === 0, failures.join('\n'));
  } else {
    assert.ok(failures.length > 0, `${entry.name}: ${row.path} works as the table says now; remove its gap note ("${row.gap}")`);
  }
}

/** The distinct names, in order of first appearance, of the rows' paths at the top level or under `prefix`. */
export function rowNames(rows: readonly OptionRow[], prefix = ''): string[] {
  const names = new Set<string>();
  for (const { path } of rows) {
    if (prefix !== '' && !path.startsWith(`${prefix}.`)) continue;
    const rest = prefix === '' ? path : path.slice(prefix.length + 1);
    names.add(segments(rest)[0] as string);
  }
  return [...names];
}

/** The table names exactly the options the entry point declares (a new option without a row fails). */
export function assertSameNames(declared: readonly string[], rows: readonly OptionRow[], what: string, prefix = ''): void {
  const table = rowNames(rows, prefix);
  const missing = declared.filter((name) => !table.includes(name));
  const extra = table.filter((name) => !declared.includes(name));
  assert.ok(missing.length === 0 && extra.length === 0, `${what}: options without a row: [${missing.join(', ')}]; rows for no option: [${extra.join(', ')}]`);
}

/** The top-level name of a path (`perMessageDeflate.level` → `perMessageDeflate`, `protocols[0]` → `protocols`). */
type TopName<P extends string> = P extends `${infer Head}.${string}` ? BeforeIndex<Head> : BeforeIndex<P>;
type BeforeIndex<P extends string> = P extends `${infer Head}[${string}` ? Head : P;
/** The names right under `Prefix` (`perMessageDeflate.level` under `perMessageDeflate` → `level`). */
type NamesUnder<P extends string, Prefix extends string> = P extends `${Prefix}.${infer Rest}` ? TopName<Rest> : never;

/**
 * The options of `O` that no row covers, as a type: `never` when all are. Assigning
 * `true` to `Covered<...>` fails the type check (which `npm test` runs) and names the
 * missing options when an options interface gains one the table has no row for.
 */
export type Uncovered<O, Paths extends string, Prefix extends string = ''> = Exclude<
  keyof O & string,
  Prefix extends '' ? TopName<Paths> : NamesUnder<Paths, Prefix>
>;
export type Covered<O, Paths extends string, Prefix extends string = ''> = [Uncovered<O, Paths, Prefix>] extends [never] ? true : Uncovered<O, Paths, Prefix>;
/** The literal paths of a list of rows. */
export type PathsOf<Rows extends readonly OptionRow[]> = Rows[number]['path'];
