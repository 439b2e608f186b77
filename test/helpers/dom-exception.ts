/** Assertions about DOMExceptions, for the WHATWG API tests. */
import * as assert from 'uvu/assert';

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
