import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version in wspipe's package.json, read when asked: the nearest package.json named
 * "wspipe" above the script being run (src/cli.ts, dist/cli.js, or node_modules/.bin/wspipe,
 * a link to node_modules/wspipe/dist/cli.js). The script's path rather than this module's:
 * `import.meta` would not survive the CommonJS build.
 */
export function packageVersion(): string {
  let dir = dirname(realpathSync(process.argv[1] ?? '.'));
  for (;;) {
    const version = versionIn(join(dir, 'package.json'));
    if (version !== undefined) return version;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find wspipe's package.json");
    dir = parent;
  }
}

function versionIn(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
  return manifest.name === 'wspipe' && typeof manifest.version === 'string' ? manifest.version : undefined;
}
