import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version in wspipe's package.json, read when asked: the nearest package.json named
 * "wspipe" above this module, which is the same file whether this runs from src/cli/,
 * from dist/ (bundled), or from node_modules/wspipe/dist/.
 */
export function packageVersion(): string {
  // The CommonJS build has __filename; the ESM one has import.meta.url.
  let dir = dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
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
