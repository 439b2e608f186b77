import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChild } from '../helpers/child-process.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { eventually } from '../helpers/timeouts.js';

/**
 * Guards the per-connection memory of an idle server connection. A closure per callback,
 * and the request's bytes kept alive by one of them, cost 8.5 KiB of V8 heap per
 * connection (measured under tsx, which adds to every closure); one object of methods and
 * shared socket listeners brought it to 3.2–3.9 KiB (ws: about 2.6 KiB bundled). The bound
 * is generous: it fails only if something per connection comes back.
 */
const WARM = 100;
const MEASURED = 400;
const BOUND_BYTES = 6 * 1024;

test('an idle connection costs the server less than 6 KiB of V8 heap', async () => {
  const child = runChild(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/helpers/memory-server.ts'], { stdin: 'pipe' });
  const peers: RawPeer[] = [];
  try {
    const port = Number((await child.waitForLine(/^listening (\d+)$/, 15_000))[1]);
    const heaps = (): string[] => child.lines.filter((line) => line.startsWith('heap '));
    const measure = async (): Promise<number> => {
      const answered = heaps().length;
      child.child.stdin!.write('measure\n');
      await eventually(() => heaps().length > answered, 10_000, 'the server to measure its heap');
      return Number(heaps()[answered]!.slice(5));
    };
    const open = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) peers.push(await RawPeer.open(port));
    };
    await open(WARM); // code, feedback vectors and pools warm up on these
    const before = await measure();
    await open(MEASURED);
    const after = await measure();
    const perConnection = (after - before) / MEASURED;
    assert.ok(perConnection < BOUND_BYTES, `${(perConnection / 1024).toFixed(2)} KiB of heap per idle connection (bound ${BOUND_BYTES / 1024} KiB)`);
  } finally {
    for (const peer of peers) peer.destroy();
    child.child.stdin!.end();
    await child.exited(10_000).catch(() => child.kill());
  }
});

test.run();
