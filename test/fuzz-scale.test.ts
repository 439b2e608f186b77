import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChild } from './helpers/child-process.js';

/** The fuzzer at scale, in a few seconds: it runs, finds nothing, and prints its table (`npm run fuzz` runs a million inputs per target). */
test('scale-fuzz: 1,000 inputs per target, every target, no failure', async () => {
  const child = runChild(process.execPath, ['--import', 'tsx', 'test/fuzz/scale-fuzz.ts'], { env: { ...process.env, FUZZ_INPUTS: '1000' } });
  const { code } = await child.exited(120_000);
  const output = child.lines.join('\n');
  assert.is(code, 0, `${output}\n${child.stderr()}`);
  assert.match(output, /no failures/);
  for (const target of ['decoder-server', 'decoder-client', 'decoder-server-deflate', 'decoder-client-deflate', 'request-head', 'response']) {
    assert.match(output, new RegExp(`\\| ${target} \\| 1,000 \\|`));
  }
});

test.run();
