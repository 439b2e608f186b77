/** Child processes for tests: output collected line by line, always bounded and killed. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildRun {
  child: ChildProcess;
  /** Complete stdout lines so far. */
  lines: string[];
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (rejects on exit or timeout). */
  waitForLine(pattern: RegExp, ms: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or signal) once the child exits; SIGKILLs it after `ms`. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the child if it still runs (SIGKILL). */
  kill(): void;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'pipe' to write to `child.stdin`; by default stdin is /dev/null. */
  stdin?: 'ignore' | 'pipe';
}

export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): ChildRun {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const listeners = new Set<() => void>();
  const poke = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    poke();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < 100_000) stderr += text;
  });
  child.on('error', (error) => {
    stderr += `\n[spawn error] ${error.message}`;
    exit ??= { code: null, signal: null };
    poke();
  });
  child.on('close', (code, signal) => {
    if (partial) lines.push(partial);
    partial = '';
    exit = { code, signal };
    poke();
  });

  const kill = (): void => {
    if (exit === null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  return {
    child,
    lines,
    stderr: () => stderr,
    kill,
    waitForLine(pattern, ms) {
      return new Promise((resolve, reject) => {
        let seen = 0;
        const check = (): void => {
          for (; seen < lines.length; seen++) {
            const match = pattern.exec(lines[seen]!);
            if (match) return done(() => resolve(match));
          }
          if (exit) done(() => reject(new Error(`The child exited (${exit!.code ?? exit!.signal}) before printing ${pattern}; stdout: ${lines.join('\n')}; stderr: ${stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`Timed out after ${ms} ms waiting for ${pattern}; stdout: ${lines.join('\n')}; stderr: ${stderr}`))), ms);
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    exited(ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!exit) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(exit);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          kill();
          reject(new Error(`The child did not exit within ${ms} ms (killed); stdout: ${lines.join('\n')}; stderr: ${stderr}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
  };
}
