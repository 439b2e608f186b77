import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/** The library's subpaths (package.json "exports"): ESM + CommonJS, each with declarations. */
const library = {
  index: 'src/index.ts',
  'transforms/index': 'src/transforms/index.ts',
  'handshake/index': 'src/handshake/index.ts',
  'rx/index': 'src/rx/index.ts',
  'redis/index': 'src/redis/index.ts',
};

const common: Options = {
  target: 'node20',
  platform: 'node',
  splitting: true,
  // No source maps in the package: dist/ is unminified and readable as is; maps with their
  // sources embedded were 57% of the unpacked size, and without them they would point at
  // src/ files the package does not ship (test/journeys/package-contents.test.ts).
  sourcemap: false,
  // Optional peer dependencies, loaded only by their subpaths (wspipe/rx, wspipe/redis).
  external: ['rxjs', 'redis'],
};

export default defineConfig(() => {
  // Three builds write into dist/ at the same time, so none may use tsup's `clean` (each
  // would delete what another has already written): clean once, before all of them.
  rmSync('dist', { recursive: true, force: true });
  return [
    // ESM: the library and the CLI (bin dist/cli.js), sharing chunks. The CLI has no
    // declarations and no CommonJS build: nothing imports or requires it.
    { ...common, entry: { ...library, cli: 'src/cli.ts' }, format: 'esm' },
    // CommonJS: the library only, for `require('wspipe')`.
    { ...common, entry: library, format: 'cjs' },
    // Declarations for the library, .d.ts and .d.cts, from one TypeScript program.
    { ...common, entry: library, format: ['esm', 'cjs'], dts: { only: true } },
  ];
});
