/**
 * Journey (e), from the packed package: the `wspipe` command npm linked into
 * node_modules/.bin. `--version` and `--help`, then `wspipe echo` and `wspipe connect`
 * talking through a pipe, over ws:// and wss://: lines on connect's stdin come back on its stdout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild, type ChildRun } from '../helpers/child-process.js';
import { packedPackage } from '../helpers/packed-package.js';
import { testPki } from '../helpers/tls.js';

const EXIT_MS = 10_000;

async function wspipe(args: readonly string[], stdin?: 'pipe'): Promise<ChildRun> {
  const { project } = await packedPackage();
  return runChild(join(project, 'node_modules', '.bin', 'wspipe'), args, { cwd: project, ...(stdin ? { stdin } : {}) });
}

async function finished(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = await wspipe(args);
  const { code } = await child.exited(EXIT_MS);
  return { code, stdout: child.lines.join('\n'), stderr: child.stderr() };
}

test('wspipe --version prints the installed package version and exits 0', async () => {
  const { installed } = await packedPackage();
  const { version } = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string };
  const run = await finished(['--version']);
  assert.equal(run, { code: 0, stdout: version, stderr: '' });
});

test('wspipe --help prints the usage on stdout and exits 0', async () => {
  const run = await finished(['--help']);
  assert.is(run.code, 0, run.stderr);
  for (const command of ["echo", "connect", "demo"]) assert.match(run.stdout, new RegExp(`^\\s+${command}\\s`, "m"));
});

for (const secure of [false, true]) {
  const scheme = secure ? 'wss' : 'ws';
  test(`wspipe echo and wspipe connect over ${scheme}://: stdin lines are echoed to stdout, then both exit 0`, async () => {
    const pki = testPki();
    const echo = await wspipe(['echo', '--host', '127.0.0.1', '--port', '0', ...(secure ? ['--tls-cert', pki.certFile, '--tls-key', pki.keyFile] : [])]);
    try {
      const [, url] = await echo.waitForLine(new RegExp(`^listening on (${scheme}://127\\.0\\.0\\.1:\\d+/)$`), EXIT_MS);
      const client = await wspipe(['connect', url!, ...(secure ? ['--ca', pki.caFile] : [])], 'pipe');
      try {
        client.child.stdin!.end('one\ntwo words\n\u00e9t\u00e9\n');
        const { code } = await client.exited(EXIT_MS);
        assert.equal(client.lines, ['one', 'two words', '\u00e9t\u00e9'], client.stderr());
        assert.is(code, 0, client.stderr());
        assert.match(client.stderr(), `connected to ${url}`);
        assert.match(client.stderr(), 'closed: 1000');
      } finally {
        client.kill();
      }
      echo.child.kill('SIGTERM');
      assert.equal(await echo.exited(EXIT_MS), { code: 0, signal: null }, echo.stderr());
    } finally {
      echo.kill();
    }
  });
}

test.run();
