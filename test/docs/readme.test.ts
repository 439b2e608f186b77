/**
 * The README's TypeScript is checked against the package as published: every ```ts
 * block of README.md becomes a file of a consumer project where `wspipe` is the built
 * package installed from its tarball (test/helpers/packed-package.ts), type-checked by
 * one tsc run (strict, module and moduleResolution NodeNext, ESM).
 *
 * Convention for README authors:
 * - A block preceded by an HTML comment `<!-- prelude: … -->` (blank lines allowed in
 *   between; one line or several) is a fragment. The prelude is TypeScript prepended to
 *   it, usually imports and declarations of what the fragment uses
 *   (`declare const socket: import('node:net').Socket;`); `<!-- prelude: -->` with
 *   nothing in it marks a fragment that needs none (one that talks to a remote host).
 *   Fragments are type-checked only.
 * - A block with no prelude is a complete program: type-checked, compiled to JavaScript
 *   and run with node (20 s at most). It must exit 0 by itself, so it closes every server
 *   and connection it opens.
 * Each block is one test, named by the heading it sits under and its README line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeRun, runProgram, type ProgramRun } from '../helpers/consumer-program.js';
import { packedPackage } from '../helpers/packed-package.js';
import { runTsc, type TscRun } from '../helpers/tsc.js';
import { readmeBlocks, type ReadmeBlock } from './readme-blocks.js';

const blocks = readmeBlocks(await readFile(join(process.cwd(), 'README.md'), 'utf8'));

interface BlockFile {
  block: ReadmeBlock;
  /** The block's source file in the consumer project. */
  source: string;
  /** What tsc emits for it. */
  output: string;
  /** Lines of prelude before the block's first line. */
  preludeLines: number;
}

interface Checked {
  files: BlockFile[];
  tsc: TscRun;
  /** The complete programs' runs, by block index (started once tsc has emitted them). */
  runs: Map<number, Promise<ProgramRun>>;
}

let checked: Promise<Checked> | undefined;

function checkAll(): Promise<Checked> {
  checked ??= (async () => {
    const packed = await packedPackage();
    const dir = join(packed.project, 'readme');
    await mkdir(dir, { recursive: true });
    const files = blocks.map((block): BlockFile => {
      const name = `block-${String(block.index).padStart(2, '0')}`;
      const prelude = block.prelude ? `${block.prelude}\n` : '';
      return { block, source: join(dir, `${name}.ts`), output: join(dir, 'out', `${name}.js`), preludeLines: prelude.split('\n').length - 1 };
    });
    for (const file of files) await writeFile(file.source, `${file.block.prelude ? `${file.block.prelude}\n` : ''}${file.block.code}\n`);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          // Each block is its own module even when it has no import (no shared globals).
          moduleDetection: 'force',
          strict: true,
          types: ['node'],
          // The shipped declarations are checked by test/journeys/typescript-consumer.test.ts.
          skipLibCheck: true,
          rootDir: '.',
          outDir: 'out',
        },
        files: files.map((file) => file.source),
      }),
    );
    const tsc = await runTsc(packed.tsc, dir);
    const runs = new Map<number, Promise<ProgramRun>>();
    for (const file of files) if (file.block.prelude === null) runs.set(file.block.index, runProgram(packed.project, file.output));
    return { files, tsc, runs };
  })();
  return checked;
}

/** A block's diagnostics, with README line numbers (or prelude lines). */
function describeDiagnostics(file: BlockFile, tsc: TscRun): string[] {
  return (tsc.diagnostics.get(file.source) ?? []).map(({ line, column, text }) => {
    const where = line <= file.preludeLines ? `prelude line ${line}` : `README.md:${file.block.line + line - file.preludeLines - 1}:${column}`;
    return `${where}: ${text}`;
  });
}

test('README.md has ts blocks, and tsc reports nothing outside them', async () => {
  assert.ok(blocks.length > 0);
  const { files, tsc } = await checkAll();
  const known = new Set(files.map((file) => file.source));
  const stray = [...tsc.diagnostics.keys()].filter((file) => !known.has(file));
  assert.equal(stray, [], tsc.output);
  const unattributed = tsc.output.split('\n').filter((line) => /^error TS/.test(line));
  assert.equal(unattributed, [], tsc.output);
});

for (const block of blocks) {
  const kind = block.prelude === null ? 'type-checks and runs' : 'type-checks (fragment)';
  test(`README "${block.heading}" block at line ${block.line} ${kind}`, async () => {
    const { files, tsc, runs } = await checkAll();
    const file = files.find((candidate) => candidate.block === block)!;
    assert.equal(describeDiagnostics(file, tsc), [], `the block does not type-check:\n${block.code}`);
    const run = runs.get(block.index);
    if (run) {
      const result = await run.catch((error: Error) => error);
      if (result instanceof Error) assert.unreachable(result.message);
      else assert.is(result.code, 0, describeRun(result));
    }
  });
}

test.run();
