/**
 * The published shape: tsup builds ESM + CommonJS + declarations, and every subpath of
 * the exports map loads from both module systems and type-checks for a consumer.
 * Self-reference by package name resolves through package.json's exports map.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();

test('npm run build emits ESM, CommonJS and declarations for every subpath', async () => {
  await run('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 180_000 });
  const esm = `
    import * as main from 'wspipe';
    import * as transforms from 'wspipe/transforms';
    import * as handshake from 'wspipe/handshake';
    import * as rx from 'wspipe/rx';
    console.log(JSON.stringify({
      main: typeof main.createServer + typeof main.connect + typeof main.WebSocket + typeof main.HeaderParser,
      transforms: typeof transforms.createDecoder + typeof transforms.Inflate,
      handshake: typeof handshake.acceptKey,
      rx: typeof rx.connect$ + typeof rx.messages$ + typeof rx.connections$,
    }));`;
  const cjs = `
    const main = require('wspipe');
    const rx = require('wspipe/rx');
    const handshake = require('wspipe/handshake');
    console.log(JSON.stringify({
      main: typeof main.createServer + typeof main.WebSocket,
      rx: typeof rx.connect$,
      accept: handshake.acceptKey('dGhlIHNhbXBsZSBub25jZQ=='),
    }));`;
  const fromEsm = JSON.parse((await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: root })).stdout);
  assert.equal(fromEsm, {
    main: 'functionfunctionfunctionfunction',
    transforms: 'functionfunction',
    handshake: 'function',
    rx: 'functionfunctionfunction',
  });
  const fromCjs = JSON.parse((await run(process.execPath, ['-e', cjs], { cwd: root })).stdout);
  assert.equal(fromCjs, { main: 'functionfunction', rx: 'function', accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' });
});

test('the main entry does not load rxjs', async () => {
  const script = `
    require('wspipe');
    console.log(Object.keys(require.cache).filter((file) => file.includes('/node_modules/rxjs/')).length);`;
  assert.is((await run(process.execPath, ['-e', script], { cwd: root })).stdout.trim(), '0');
});

test('declarations type-check for ESM and CommonJS consumers', async () => {
  const dir = await mkdtemp(join(root, '.bench-tmp-consumer-'));
  try {
    await writeFile(
      join(dir, 'esm.mts'),
      `import { connect, createServer, type Message } from 'wspipe';
       import { createDecoder, type FramePart } from 'wspipe/transforms';
       import { acceptKey } from 'wspipe/handshake';
       import { connect$ } from 'wspipe/rx';
       const message: Message = { type: 'text', data: 'x' };
       const key: string = acceptKey('dGhlIHNhbXBsZSBub25jZQ==');
       const part: FramePart | null = null;
       export { connect, createServer, createDecoder, connect$, message, key, part };`,
    );
    await writeFile(
      join(dir, 'cjs.cts'),
      `import wspipe = require('wspipe');
       import rx = require('wspipe/rx');
       const server: wspipe.WebSocketServer = wspipe.createServer({ noServer: true });
       const subject = rx.connect$('ws://127.0.0.1:1/');
       export = { server, subject };`,
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['esm.mts', 'cjs.cts'] }),
    );
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: root, timeout: 120_000 }).catch((error: { stdout?: string }) => {
      assert.unreachable(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
