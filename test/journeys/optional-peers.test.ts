/**
 * rxjs and redis are optional peer dependencies, each used only by its subpath
 * (`wspipe/rx`, `wspipe/redis`): the main entry and the other subpaths never load either,
 * and neither subpath loads the other's, from ESM or from CommonJS, in the installed package.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packedPackage } from '../helpers/packed-package.js';

const run = promisify(execFile);

const MAIN_ENTRIES = ['wspipe', 'wspipe/transforms', 'wspipe/handshake'];
/** Each optional peer, the subpath that uses it, and how its files are recognized (redis is node-redis: redis and @redis/*). */
const PEERS = [
  { peer: 'rxjs', subpath: 'wspipe/rx', files: '/node_modules/rxjs/' },
  { peer: 'redis', subpath: 'wspipe/redis', files: '/node_modules/(redis|@redis)/' },
] as const;

test('require() of the main entries loads neither rxjs nor redis; each optional subpath loads its own peer only', async () => {
  const { root } = await packedPackage();
  const script = `
    const peers = ${JSON.stringify(PEERS)};
    const loaded = () => peers.filter(({ files }) => Object.keys(require.cache).some((file) => new RegExp(files).test(file))).map(({ peer }) => peer);
    for (const name of ${JSON.stringify(MAIN_ENTRIES)}) require(name);
    console.log('main: ' + loaded().join(','));
    for (const { subpath } of peers) { require(subpath); console.log(subpath + ': ' + loaded().join(',')); }`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: root });
  assert.is(stdout.trim(), 'main: \nwspipe/rx: rxjs\nwspipe/redis: rxjs,redis');
});

test('import of the main entries resolves neither rxjs nor redis; each optional subpath resolves its own peer', async () => {
  const { root } = await packedPackage();
  // A resolve hook sees every ESM import the loader resolves: it reports those of the peers.
  const hooks = `export async function resolve(specifier, context, next) {
    for (const peer of ['rxjs', 'redis']) if (specifier === peer || specifier.startsWith(peer + '/')) process.stdout.write(peer + '\\n');
    return next(specifier, context);
  }`;
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    for (const name of ${JSON.stringify(MAIN_ENTRIES)}) await import(name);
    console.log('main entries loaded');
    await import('wspipe/redis');
    console.log('wspipe/redis loaded');
    await import('wspipe/rx');`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  const lines = stdout.trim().split('\n');
  assert.is(lines[0], 'main entries loaded', stdout);
  const afterRedis = lines.indexOf('wspipe/redis loaded');
  assert.equal([...new Set(lines.slice(1, afterRedis))], ['redis'], `wspipe/redis resolves redis and not rxjs: ${stdout}`);
  assert.equal([...new Set(lines.slice(afterRedis + 1))], ['rxjs'], `wspipe/rx resolves rxjs: ${stdout}`);
});

test.run();
