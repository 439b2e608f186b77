/**
 * `wspipe` as a Unix tool: help on stdout with exit 0 for every command and every way of
 * asking; the version from package.json; mistakes rejected with one line naming them, then
 * the usage, on stderr, exit 2. Every case runs the CLI as a child process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testPki } from '../helpers/tls.js';
import { inBatches, REPO_ROOT, wspipeRun } from './cli-run.js';

const COMMANDS = ['echo', 'connect', 'demo'];
/** A flag of each command that its help must list. */
const A_FLAG: Record<string, string> = { echo: '--max-payload BYTES', connect: "--header 'NAME: VALUE'", demo: '--port PORT' };

test('help, --help and -h print the command list on stdout and exit 0', async () => {
  const runs = await inBatches([['help'], ['--help'], ['-h']], 3, (args) => wspipeRun(args));
  for (const run of runs) {
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stderr, '');
    assert.match(run.stdout, /^usage: wspipe <command>/);
    for (const command of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.match(run.stdout, /--version/);
  }
});

test("every command's help (`help C`, `C --help`, `C -h`) goes to stdout and exits 0, starting nothing", async () => {
  const cases = [...COMMANDS.flatMap((command) => [['help', command], [command, '--help'], [command, '-h']]), ['echo', '--port', '1', '-h']];
  const runs = await inBatches(cases, 4, async (args) => ({ args, run: await wspipeRun(args, 15_000) }));
  for (const { args, run } of runs) {
    const command = args[0] === 'help' ? args[1]! : args[0]!;
    const what = `wspipe ${args.join(' ')}`;
    assert.is(run.code, 0, `${what}: ${run.stderr}`);
    assert.is(run.stderr, '', what);
    assert.ok(run.stdout.startsWith(`usage: wspipe ${command} [options]`), `${what}: ${run.stdout}`);
    assert.ok(run.stdout.includes(A_FLAG[command]!), `${what} lists ${A_FLAG[command]}`);
    assert.match(run.stdout, /-h, --help/);
    assert.match(run.stdout, /Exit status/);
  }
});

test("--version and -v print package.json's version and exit 0", async () => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const run of await inBatches([['--version'], ['-v']], 2, (args) => wspipeRun(args))) {
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stdout, version);
    assert.is(run.stderr, '');
  }
});

test('mistakes (unknown command or flag, missing or bad value, bad URL, header, file): one line naming the problem, then the usage, on stderr; nothing on stdout; exit 2', async () => {
  const { certFile } = testPki();
  const cases: Array<[args: string[], firstLine: RegExp, usage: string]> = [
    [[], /^wspipe: missing command$/, 'usage: wspipe <command>'],
    [['frobnicate'], /^wspipe: unknown command "frobnicate"$/, 'usage: wspipe <command>'],
    [['--bogus'], /^wspipe: unknown option --bogus$/, 'usage: wspipe <command>'],
    [['echo', '--bogus'], /^wspipe echo: unknown option --bogus$/, 'usage: wspipe echo'],
    [['echo', '--port'], /^wspipe echo: --port needs a value \(PORT\)$/, 'usage: wspipe echo'],
    [['echo', '--port', 'abc'], /^wspipe echo: --port must be an integer from 0 to 65535, not "abc"$/, 'usage: wspipe echo'],
    [['echo', '--deflate=yes'], /^wspipe echo: --deflate takes no value$/, 'usage: wspipe echo'],
    [['echo', '--tls-cert', certFile], /^wspipe echo: --tls-cert and --tls-key go together$/, 'usage: wspipe echo'],
    [['echo', '--tls-cert', certFile, '--tls-key', certFile], /^wspipe echo: --tls-cert\/--tls-key: /, 'usage: wspipe echo'],
    [['demo', '--port=x'], /^wspipe demo: --port must be an integer/, 'usage: wspipe demo'],
    [['connect'], /^wspipe connect: missing URL$/, 'usage: wspipe connect'],
    [['connect', 'ws://127.0.0.1:1/', 'extra'], /^wspipe connect: unexpected argument "extra"$/, 'usage: wspipe connect'],
    [['connect', 'not a url'], /^wspipe connect: invalid URL "not a url"$/, 'usage: wspipe connect'],
    [['connect', 'http://127.0.0.1:1/'], /^wspipe connect: URL must start with ws:\/\/ or wss:\/\//, 'usage: wspipe connect'],
    [['connect', 'ws://127.0.0.1:1/', '--protocol', 'a b'], /^wspipe connect: --protocol: Invalid subprotocol "a b"$/, 'usage: wspipe connect'],
    [['connect', 'ws://127.0.0.1:1/', '--header', 'no colon'], /^wspipe connect: --header must look like 'Name: value'/, 'usage: wspipe connect'],
    [['connect', 'ws://127.0.0.1:1/', '--header', 'Upgrade: h2c'], /^wspipe connect: --header: .*set by the handshake/, 'usage: wspipe connect'],
    [['connect', 'ws://127.0.0.1:1/', '--ca', '/nonexistent/ca.pem'], /^wspipe connect: --ca: cannot read "\/nonexistent\/ca.pem"/, 'usage: wspipe connect'],
    [['connect', 'ws://127.0.0.1:1/', '--max-payload', '-5'], /^wspipe connect: --max-payload must be an integer >= 0, not "-5"$/, 'usage: wspipe connect'],
  ];
  const runs = await inBatches(cases, 4, async ([args, firstLine, usage]) => ({ args, firstLine, usage, run: await wspipeRun(args, 15_000) }));
  for (const { args, firstLine, usage, run } of runs) {
    const what = `wspipe ${args.join(' ')}`;
    assert.is(run.code, 2, `${what}: exit ${run.code}; stderr: ${run.stderr}`);
    assert.is(run.stdout, '', `${what}: stdout`);
    const [first, blank, ...rest] = run.stderr.split('\n');
    assert.match(first!, firstLine, what);
    assert.is(blank, '', `${what}: one line, then the usage`);
    assert.ok(rest.join('\n').startsWith(usage), `${what}: usage after the error: ${run.stderr}`);
  }
});

test('`--` ends the options: what follows is an operand', async () => {
  const run = await wspipeRun(['connect', '--', '--help']);
  assert.is(run.code, 2);
  assert.match(run.stderr, /^wspipe connect: invalid URL "--help"\n/);
});

test.run();
