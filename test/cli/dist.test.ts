/**
 * The CLI as installed: `npm run build`, then `node dist/cli.js` (the package's `bin`).
 * The version is found from dist/ as from src/, and the bundled echo and connect talk.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChild, type ChildOptions, type ChildRun } from '../helpers/child-process.js';
import { finished, REPO_ROOT } from './cli-run.js';

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

function built(args: readonly string[], options: Omit<ChildOptions, 'cwd'> = {}): ChildRun {
  return runChild(process.execPath, [manifest.bin['wspipe']!, ...args], { cwd: REPO_ROOT, ...options });
}

test('npm run build, then the bin: --version, help, and echo + connect round trip', async () => {
  await run('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, timeout: 180_000 });
  const version = await finished(built(['--version']));
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout, manifest.version);
  // The CommonJS build of the CLI (shipped, though `bin` is the ESM one) finds it too.
  const cjs = await finished(runChild(process.execPath, [manifest.bin['wspipe']!.replace(/\.js$/, '.cjs'), '-v'], { cwd: REPO_ROOT }));
  assert.is(cjs.code, 0, cjs.stderr);
  assert.is(cjs.stdout, manifest.version);
  const help = await finished(built(['help', 'connect']));
  assert.is(help.code, 0, help.stderr);
  assert.ok(help.stdout.startsWith('usage: wspipe connect [options] URL'), help.stdout);

  const echo = built(['echo', '--host', '127.0.0.1', '--port', '0', '--quiet']);
  try {
    const [, url] = await echo.waitForLine(/^listening on (ws:\/\/127\.0\.0\.1:\d+\/)$/, 20_000);
    const connect = built(['connect', url!], { stdin: 'pipe' });
    connect.child.stdin!.end('built ✓\n');
    const result = await finished(connect);
    assert.is(result.code, 0, result.stderr);
    assert.is(result.stdout, 'built ✓');
    echo.child.kill('SIGTERM');
    assert.is((await echo.exited(10_000)).code, 0);
  } finally {
    echo.kill();
  }
});

test.run();
