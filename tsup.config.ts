import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'transforms/index': 'src/transforms/index.ts',
    'handshake/index': 'src/handshake/index.ts',
    'rx/index': 'src/rx/index.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  external: ['rxjs'],
});
