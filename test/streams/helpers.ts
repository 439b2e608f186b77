/** Small helpers of the stream tests: DOMException checks, settling state, reading all. */
import * as assert from 'uvu/assert';
import type { ReadableStream } from 'node:stream/web';
import { withTimeout } from '../helpers/timeouts.js';

/** Asserts that `fn` throws a DOMException named `name`. */
export function throwsDom(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, DOMException);
    assert.is((error as DOMException).name, name);
    return;
  }
  assert.unreachable(`expected a ${name} DOMException`);
}

/** What `promise` settles with within `ms`: its value, or the error it rejects with. */
export async function settled<T>(promise: Promise<T>, ms: number, what: string): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return withTimeout(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    ms,
    what,
  );
}

/** The error `promise` rejects with (within `ms`); fails if it resolves. */
export async function rejection(promise: Promise<unknown>, ms: number, what: string): Promise<unknown> {
  const result = await settled(promise, ms, what);
  if (result.ok) assert.unreachable(`${what} should have rejected`);
  return (result as { error: unknown }).error;
}

/** Whether `promise` is still pending after the current macrotask's microtasks and one more turn. */
export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return !done;
}

/** Reads `count` chunks (within `ms`). */
export async function readChunks<T>(readable: ReadableStream<T>, count: number, ms: number): Promise<T[]> {
  const reader = readable.getReader();
  const chunks: T[] = [];
  try {
    while (chunks.length < count) {
      const { value, done } = await withTimeout(reader.read(), ms, `chunk ${chunks.length + 1} of ${count}`);
      if (done) break;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return chunks;
}
