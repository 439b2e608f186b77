/**
 * The tarball as published (`npm pack`, whose --json report is the same as
 * `npm pack --dry-run --json`): exactly LICENSE, README.md, package.json, the files
 * package.json's `exports`, `main`/`module`/`types` and `bin` point to, and the chunks
 * those files import, nothing else. No source maps, no CommonJS CLI, no CLI declarations.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { packedPackage } from '../helpers/packed-package.js';

/**
 * The bound on the unpacked size. 0.1.0 was 1,512,703 bytes with source maps (embedded
 * sources included); without them it was about 650 kB. Option checking at every entry
 * point, the CLI's help tables and the longer README took it to about 800 kB (the library
 * ships twice, as ESM and as CommonJS); the extension API, HTTP/2 in both roles, proxies and
 * WebSocketStream to about 1 MB. Raise this deliberately, with a reason, when the code grows.
 */
const MAX_UNPACKED_BYTES = 1_300_000;

const ALWAYS_SHIPPED = ['LICENSE', 'README.md', 'package.json'];

interface Manifest {
  main?: string;
  module?: string;
  types?: string;
  exports: unknown;
  bin: string | Record<string, string>;
}

/** Every path string in an exports map (conditions nested to any depth). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** A package path as npm lists it: `./dist/x.js` and `dist/x.js` both become `dist/x.js`. */
function normal(path: string): string {
  return posix.normalize(path).replace(/^\.\//, '');
}

/**
 * Relative imports in a built file: `from "./x.js"`, `import("./x.js")`, `require("./x.cjs")`.
 * A declaration file names the JavaScript it describes: `./x.js` is `./x.d.ts`, `./x.cjs` is `./x.d.cts`.
 */
function relativeImports(file: string, source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g)].map((match) => match[1]!);
  const declaration = /\.d\.c?ts$/.test(file);
  return specifiers.map((specifier) => {
    const target = posix.join(posix.dirname(file), specifier);
    return declaration ? target.replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts') : target;
  });
}

async function reachableFrom(installed: string, entries: readonly string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(c?js|d\.c?ts)$/.test(file)) continue;
    pending.push(...relativeImports(file, await readFile(join(installed, file), 'utf8')));
  }
  return seen;
}

test('the tarball holds LICENSE, README.md, package.json and exactly the dist files its exports and bin need', async () => {
  const { report, installed } = await packedPackage();
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Manifest;
  const packed = new Set(report.files.map((file) => file.path));

  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin);
  const entries = [...exportTargets(manifest.exports), manifest.main, manifest.module, manifest.types, ...bins]
    .filter((path): path is string => path !== undefined)
    .map(normal);
  for (const entry of entries) assert.ok(packed.has(entry), `package.json points to ${entry}, which is not in the tarball`);
  for (const file of ALWAYS_SHIPPED) assert.ok(packed.has(file), `${file} is not in the tarball`);

  const needed = await reachableFrom(installed, [...new Set([...entries, ...ALWAYS_SHIPPED])]);
  for (const file of needed) assert.ok(packed.has(file), `${file} is imported but not in the tarball`);
  assert.equal([...packed].filter((file) => !needed.has(file)).sort(), [], 'files in the tarball that nothing uses');
});

test('nothing unused is shipped: no source maps, no CommonJS CLI, no CLI declarations', async () => {
  const { report } = await packedPackage();
  const paths = report.files.map((file) => file.path);
  assert.equal(paths.filter((path) => path.endsWith('.map')), []);
  assert.equal(paths.filter((path) => /^dist\/cli\.(cjs|d\.ts|d\.cts)$/.test(path)), []);
  assert.ok(paths.includes('dist/cli.js'));
});

test('the bin is an ESM script with a node shebang', async () => {
  const { installed } = await packedPackage();
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Manifest & { type?: string };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['wspipe']!;
  assert.is(manifest.type, 'module', 'dist/cli.js is ESM only because the package is "type": "module"');
  assert.match(await readFile(join(installed, bin), 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test(`the unpacked size stays under ${MAX_UNPACKED_BYTES} bytes`, async () => {
  const { report } = await packedPackage();
  assert.ok(report.unpackedSize < MAX_UNPACKED_BYTES, `unpacked ${report.unpackedSize} bytes (tarball ${report.size})`);
  assert.is(report.unpackedSize, report.files.reduce((sum, file) => sum + file.size, 0));
});

test('LICENSE is the MIT license of the wspipe authors, and package.json says MIT', async () => {
  const { installed } = await packedPackage();
  const license = await readFile(join(installed, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the wspipe authors\n/);
  assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { license: string };
  assert.is(manifest.license, 'MIT');
});

test.run();
