/**
 * rxjs is an optional peer dependency used only by `wspipe/rx`: the main entry and the
 * other subpaths never load it, from ESM or from CommonJS, in the installed package.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packedPackage } from '../helpers/packed-package.js';

const run = promisify(execFile);

test('require() of every subpath but wspipe/rx loads no rxjs module', async () => {
  const { root } = await packedPackage();
  const script = `
    for (const name of ['wspipe', 'wspipe/transforms', 'wspipe/handshake']) require(name);
    console.log(Object.keys(require.cache).filter((file) => file.includes('/rxjs/')).length);
    require('wspipe/rx');
    console.log(Object.keys(require.cache).filter((file) => file.includes('/rxjs/')).length > 0);`;
  assert.is((await run(process.execPath, ['-e', script], { cwd: root })).stdout.trim(), '0\ntrue');
});

test('import of every subpath but wspipe/rx resolves no rxjs module', async () => {
  const { root } = await packedPackage();
  // A resolve hook sees every ESM import the loader resolves: it reports those of rxjs.
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === 'rxjs' || specifier.startsWith('rxjs/')) process.stdout.write('rxjs\\n');
    return next(specifier, context);
  }`;
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    await import('wspipe'); await import('wspipe/transforms'); await import('wspipe/handshake');
    console.log('main entries loaded');
    await import('wspipe/rx');`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  const lines = stdout.trim().split('\n');
  assert.is(lines[0], 'main entries loaded', stdout);
  assert.ok(lines.slice(1).includes('rxjs'), `wspipe/rx resolves rxjs: ${stdout}`);
});

test.run();
