/** The repository's TypeScript compiler run on a consumer project (test/helpers/packed-package.ts). */
import { execFile } from 'node:child_process';
import { isAbsolute, join } from 'node:path';

export interface TscRun {
  code: number;
  /** Everything tsc printed (diagnostics, `--listFiles` output). */
  output: string;
  /** Diagnostics by absolute file path (`--pretty false` lines: `file(line,col): error TSxxxx: …`). */
  diagnostics: Map<string, Array<{ line: number; column: number; text: string }>>;
}

/** Type-checking a few files with their libraries takes seconds; this bounds a hang. */
const TSC_TIMEOUT_MS = 120_000;

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (error .*)$/;

/** `tsc -p <dir>` (plus `args`), with plain diagnostics; resolves whatever the exit code. */
export function runTsc(tsc: string, dir: string, args: readonly string[] = []): Promise<TscRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', dir, '--pretty', 'false', ...args], { cwd: dir, timeout: TSC_TIMEOUT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(new Error(`tsc did not run: ${error.message}\n${stderr}`));
      const output = `${stdout}${stderr}`;
      const diagnostics: TscRun['diagnostics'] = new Map();
      for (const line of output.split('\n')) {
        const match = DIAGNOSTIC.exec(line);
        if (!match) continue;
        const file = isAbsolute(match[1]!) ? match[1]! : join(dir, match[1]!);
        const list = diagnostics.get(file) ?? [];
        list.push({ line: Number(match[2]), column: Number(match[3]), text: match[4]! });
        diagnostics.set(file, list);
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output, diagnostics });
    });
  });
}
