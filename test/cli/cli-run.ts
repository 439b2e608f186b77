/** Running `wspipe` as a user does: a child process, from the sources (tsx) or from dist/. */
import { fileURLToPath } from 'node:url';
import { runChild, type ChildOptions, type ChildRun } from '../helpers/child-process.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `node` arguments that run the CLI from the sources. */
export const FROM_SOURCES = ['--import', 'tsx', 'src/cli.ts'];

/** `wspipe ARGS` from the sources, in the repository root. */
export function wspipe(args: readonly string[], options: Omit<ChildOptions, 'cwd'> = {}): ChildRun {
  return runChild(process.execPath, [...FROM_SOURCES, ...args], { cwd: REPO_ROOT, ...options });
}

export interface Finished {
  code: number | null;
  /** stdout, lines joined with \n (no final newline). */
  stdout: string;
  stderr: string;
}

/** Waits for the child to exit (killing it after `ms`) and collects its output. */
export async function finished(run: ChildRun, ms = 20_000): Promise<Finished> {
  const exit = await run.exited(ms);
  return { code: exit.code, stdout: run.lines.join('\n'), stderr: run.stderr() };
}

/** Runs `wspipe ARGS` to completion (stdin is /dev/null). */
export function wspipeRun(args: readonly string[], ms?: number): Promise<Finished> {
  return finished(wspipe(args), ms);
}

/** Runs `items` through `work`, at most `limit` at a time (child processes on 2 cores). */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(work))));
  return results;
}
