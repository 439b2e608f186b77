/** The examples of the README's uses run and print what they promise (the rx ones are in test/rx). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';

function runExample(file: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', file], { timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

test('raw socket through the stages with stream.pipeline, against a ws client', async () => {
  const output = await runExample('examples/raw-socket-pipeline.ts');
  assert.match(output, /ws client got: HELLO, PIPELINE/);
  assert.match(output, /closed with 1000/);
});

test('server and client with async iteration', async () => {
  const output = await runExample('examples/server-and-client.ts');
  assert.match(output, /echo: one\necho: two\necho: three/);
  assert.match(output, /closed: \{"code":1000,"reason":"","wasClean":true,"remote":\{"code":1000,"reason":""\},"error":null\}/);
});

test.run();
