/**
 * examples/file-upload-stream.ts runs and does what it says: a 256 MiB file uploaded
 * through a WebSocketStream to a server that pipes it through a TransformStream to disk
 * arrives whole (same size, same SHA-256), and the process's memory grew by far less than
 * the file (backpressure from the disk to the source file; what it grows by is mostly
 * garbage not yet collected).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChild } from '../helpers/child-process.js';

const SIZE_MIB = 256;

test(`a ${SIZE_MIB} MiB upload arrives whole, with memory bounded`, async () => {
  const child = runChild(process.execPath, ['--import', 'tsx', 'examples/file-upload-stream.ts', String(SIZE_MIB)]);
  try {
    const [, uploaded, total, verdict] = await child.waitForLine(/^uploaded (\d+) of (\d+) bytes, sha256 (\w+)$/, 60_000);
    assert.is(Number(uploaded), SIZE_MIB << 20);
    assert.is(Number(total), SIZE_MIB << 20);
    assert.is(verdict, 'matches');
    const [, growth] = await child.waitForLine(/^peak RSS growth during the upload: ([\d.]+) MiB$/, 5000);
    console.log(`      ${SIZE_MIB} MiB uploaded with a peak RSS growth of ${growth} MiB`);
    assert.ok(Number(growth) < SIZE_MIB / 2, `memory grew by ${growth} MiB`);
    assert.equal(await child.exited(10_000), { code: 0, signal: null });
  } finally {
    child.kill();
  }
});

test.run();
