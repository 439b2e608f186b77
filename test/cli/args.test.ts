/** The CLI's argument parser against a command table of its own: what parses, what is refused, and the usage it generates. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commandUsage, parseArgs, UsageError, wantsHelp, type CommandSpec } from '../../src/cli/args.js';

const SPEC: CommandSpec = {
  name: 'try',
  summary: 'A command for the tests.',
  operands: [{ name: 'URL', help: 'where' }],
  flags: [
    { name: 'tag', kind: 'string', placeholder: 'T', repeatable: true, help: 'a tag' },
    { name: 'mode', kind: 'string', placeholder: 'M', default: 'fast', help: 'the mode' },
    { name: 'port', kind: 'integer', placeholder: 'PORT', default: 9001, max: 65535, help: 'a port' },
    { name: 'timeout', kind: 'integer', placeholder: 'MS', min: 1, help: 'a timeout' },
    { name: 'loud', kind: 'boolean', help: 'be loud' },
  ],
};

function refused(argv: string[]): string {
  try {
    parseArgs(SPEC, argv);
  } catch (error) {
    assert.instance(error, UsageError);
    assert.is((error as UsageError).command, SPEC);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

test('values, defaults, repeats, --name=value and booleans', () => {
  const args = parseArgs(SPEC, ['--tag', 'a', 'ws://x/', '--tag=b', '--port=0', '--loud', '--tag', '-']);
  assert.equal(args.operands, ['ws://x/']);
  assert.equal(args.strings('tag'), ['a', 'b', '-']);
  assert.is(args.integer('port'), 0);
  assert.is(args.flag('loud'), true);
  assert.is(args.string('mode'), 'fast');
  assert.is(args.given('mode'), false);
  assert.is(args.integer('timeout'), undefined);
  const plain = parseArgs(SPEC, ['ws://x/']);
  assert.is(plain.flag('loud'), false);
  assert.is(plain.integer('port'), 9001);
  assert.equal(plain.strings('tag'), []);
});

test('`--` ends the options; a lone `-` is an operand', () => {
  assert.equal(parseArgs(SPEC, ['--', '--loud']).operands, ['--loud']);
  assert.equal(parseArgs(SPEC, ['-']).operands, ['-']);
});

test('refused: unknown, missing or malformed values, repeats, operands', () => {
  assert.is(refused(['ws://x/', '--nope']), 'unknown option --nope');
  assert.is(refused(['ws://x/', '-x']), 'unknown option -x');
  assert.is(refused(['ws://x/', '--mode']), '--mode needs a value (M)');
  assert.is(refused(['ws://x/', '--mode', '--loud']), '--mode needs a value (M)');
  assert.is(refused(['ws://x/', '--port', '65536']), '--port must be an integer from 0 to 65535, not "65536"');
  assert.is(refused(['ws://x/', '--port', '1e3']), '--port must be an integer from 0 to 65535, not "1e3"');
  assert.is(refused(['ws://x/', '--port=']), '--port must be an integer from 0 to 65535, not ""');
  assert.is(refused(['ws://x/', '--timeout', '0']), '--timeout must be an integer >= 1, not "0"');
  assert.is(refused(['ws://x/', '--loud=1']), '--loud takes no value');
  assert.is(refused(['ws://x/', '--mode', 'a', '--mode', 'b']), '--mode given more than once');
  assert.is(refused(['ws://x/', 'more']), 'unexpected argument "more"');
  assert.is(refused([]), 'missing URL');
});

test('help is asked for by --help or -h before any --', () => {
  assert.ok(wantsHelp(['--port', '1', '-h']));
  assert.ok(wantsHelp(['--help']));
  assert.not.ok(wantsHelp(['--', '--help']));
  assert.not.ok(wantsHelp(['--helpful']));
});

test('the usage text is generated from the table: every flag, its value, default and repeatability', () => {
  const usage = commandUsage(SPEC);
  assert.ok(usage.startsWith('usage: wspipe try [options] URL\n\nA command for the tests.\n'));
  assert.match(usage, /^  URL +where$/m);
  assert.match(usage, /^  --tag T +a tag \[repeatable\]$/m);
  assert.match(usage, /^  --mode M +the mode \[default fast\]$/m);
  assert.match(usage, /^  --port PORT +a port \[default 9001\]$/m);
  assert.match(usage, /^  --loud +be loud$/m);
  assert.match(usage, /^  -h, --help +print this help and exit$/m);
});

test('asking a table for a flag it does not declare is a programming error, not a usage error', () => {
  const args = parseArgs(SPEC, ['ws://x/']);
  assert.throws(() => args.flag('mode'), (error: Error) => !(error instanceof UsageError));
  assert.throws(() => args.string('nope'), (error: Error) => !(error instanceof UsageError));
});

test.run();
