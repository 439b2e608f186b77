/**
 * The server children run as plain JavaScript, as a published build would: server.ts and
 * the src/ it imports are bundled once per benchmark run with esbuild (which tsx and tsup
 * ship) into a temporary directory. Packages stay external, imported by absolute URL so
 * that `ws` still finds its optional addon in node_modules. This keeps tsx's loader (about
 * 25 MiB of RSS, and a hooks thread) out of both servers' processes and their RSS figures.
 * Without esbuild, or with BENCH_ECHO_TSX=1 (profiles then name the src/ files), the
 * children run through `--import tsx`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServerEntry {
  script: string;
  execArgv: string[];
  /** How the TypeScript was turned into JavaScript, for the report. */
  loader: 'esbuild bundle' | 'tsx';
  cleanup(): void;
}

const here = fileURLToPath(new URL('.', import.meta.url));

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** `source`: the server program to bundle (default bench/echo/server.ts). */
export async function serverEntry(source = `${here}server.ts`): Promise<ServerEntry> {
  const fallback: ServerEntry = { script: source, execArgv: ['--import', 'tsx'], loader: 'tsx', cleanup: () => {} };
  if (process.env.BENCH_ECHO_TSX) return fallback;
  let esbuild: EsbuildLike;
  try {
    // A dependency of tsx and tsup, not of this package: loaded by name, typed loosely.
    const name = 'esbuild';
    esbuild = (await import(name)) as EsbuildLike;
  } catch {
    return fallback;
  }
  const directory = mkdtempSync(join(tmpdir(), 'wspipe-echo-bench-'));
  const script = join(directory, 'server.mjs');
  try {
    await esbuild.build({
      entryPoints: [source],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          name: 'packages-by-url',
          setup(build: { onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => unknown): void }) {
            build.onResolve({ filter: /^[^./]/ }, (args) => ({
              path: args.path.startsWith('node:') ? args.path : import.meta.resolve(args.path),
              external: true,
            }));
          },
        },
      ],
    });
  } catch {
    rmSync(directory, { recursive: true, force: true });
    return fallback;
  }
  return { script, execArgv: [], loader: 'esbuild bundle', cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}
