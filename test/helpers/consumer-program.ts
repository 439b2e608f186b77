/**
 * Small user programs run against the installed package (test/helpers/packed-package.ts):
 * each journey is one ESM program (test/journeys/programs/NAME.mjs) and the same program
 * as CommonJS, derived by turning its `import { … } from '…'` lines into `require` calls.
 * Both run as child processes in the consumer project, in parallel, with a timeout: each
 * must exit 0 on its own (so it must close everything it opened) and print its checks.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { runChild } from './child-process.js';
import { packedPackage } from './packed-package.js';

export type ModuleSystem = 'esm' | 'cjs';

export const MODULE_SYSTEMS: ReadonlyArray<{ system: ModuleSystem; label: string }> = [
  { system: 'esm', label: 'ESM' },
  { system: 'cjs', label: 'CommonJS' },
];

export interface ProgramRun {
  file: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string[];
  stderr: string;
}

/** Each program finishes in well under a second; this bounds one that hangs (an open handle). */
export const PROGRAM_TIMEOUT_MS = 20_000;

const STATIC_IMPORT = /^import \{([^}]*)\} from '([^']+)';$/gm;

/**
 * The CommonJS twin of an ESM program whose only module syntax is named static imports
 * (`import { a, b as c } from 'x';`, one or several lines) and dynamic `import()`.
 * Anything else (default or namespace imports, exports, import.meta, top-level await
 * can't be detected here) throws, so a program cannot silently stay ESM.
 */
export function toCommonJs(esm: string): string {
  const cjs = esm.replace(STATIC_IMPORT, (_, names: string, from: string) => `const {${names.replace(/\s+as\s+/g, ': ')}} = require('${from}');`);
  const leftover = /^\s*(import|export)\s.*$/m.exec(cjs) ?? /import\.meta/.exec(cjs);
  if (leftover) throw new Error(`toCommonJs: cannot convert ${JSON.stringify(leftover[0])}`);
  return cjs;
}

/** Runs `node file` in `cwd`; resolves with its exit and output, killing it after `timeoutMs`. */
export async function runProgram(
  cwd: string,
  file: string,
  options: { args?: readonly string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProgramRun> {
  const child = runChild(process.execPath, [file, ...(options.args ?? [])], { cwd, env: { ...process.env, ...options.env } });
  const { code, signal } = await child.exited(options.timeoutMs ?? PROGRAM_TIMEOUT_MS);
  return { file, code, signal, stdout: child.lines.filter((line) => line !== ''), stderr: child.stderr() };
}

/**
 * Writes test/journeys/programs/NAME.mjs and its CommonJS twin NAME.cjs into
 * `<project>/journeys/` and runs both at once.
 */
export async function runBothModuleSystems(
  project: string,
  name: string,
  options: { env?: NodeJS.ProcessEnv; args?: readonly string[] } = {},
): Promise<Record<ModuleSystem, ProgramRun>> {
  const esm = await readFile(join(process.cwd(), 'test', 'journeys', 'programs', `${name}.mjs`), 'utf8');
  const dir = join(project, 'journeys');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.mjs`), esm);
  await writeFile(join(dir, `${name}.cjs`), toCommonJs(esm));
  const [fromEsm, fromCjs] = await Promise.all([
    runProgram(project, join(dir, `${name}.mjs`), options),
    runProgram(project, join(dir, `${name}.cjs`), options),
  ]);
  return { esm: fromEsm, cjs: fromCjs };
}

/** A failure message with everything the program said. */
export function describeRun(run: ProgramRun): string {
  return `${run.file} exited with ${run.code ?? run.signal}\nstdout:\n${run.stdout.join('\n')}\nstderr:\n${run.stderr}`;
}

/**
 * The journey `name` (both module systems) against the packed package, started on the
 * first call and shared by later ones: a file's ESM and CommonJS tests await one run.
 */
export function journey(name: string, env: () => NodeJS.ProcessEnv = () => ({})): () => Promise<Record<ModuleSystem, ProgramRun>> {
  let runs: Promise<Record<ModuleSystem, ProgramRun>> | undefined;
  return () => (runs ??= packedPackage().then((packed) => runBothModuleSystems(packed.project, name, { env: env() })));
}

/** The program exited 0 and printed exactly `expected` (strings equal, patterns match), line by line. */
export function assertPrinted(run: ProgramRun, expected: ReadonlyArray<string | RegExp>): void {
  expected.forEach((line, index) => {
    const actual = run.stdout[index] ?? '(nothing)';
    if (typeof line === 'string') assert.is(actual, line, `line ${index + 1}:\n${describeRun(run)}`);
    else assert.match(actual, line, `line ${index + 1}:\n${describeRun(run)}`);
  });
  assert.is(run.stdout.length, expected.length, `more lines than expected:\n${describeRun(run)}`);
  assert.is(run.code, 0, describeRun(run));
}
