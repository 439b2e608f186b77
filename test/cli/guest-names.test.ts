/** The demo's guest names: unique holders, names kept with their token, and release only by the holder. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GuestNames } from '../../src/cli/guest-names.js';

test('new guests get guest-1, guest-2, …, skipping names held by returning guests', () => {
  const names = new GuestNames();
  assert.is(names.claim({}, null, null).name, 'guest-1');
  assert.is(names.claim({}, 'guest-3', null).name, 'guest-3');
  assert.is(names.claim({}, null, null).name, 'guest-2');
  assert.is(names.claim({}, null, null).name, 'guest-4');
});

test('a held name moves to a new holder only with its token; the old holder then cannot release it', () => {
  const names = new GuestNames();
  const [old, other, next] = [{}, {}, {}];
  const first = names.claim(old, null, null);
  assert.is(names.claim(other, first.name, null).name, 'guest-2');
  assert.is(names.claim(other, first.name, 'x'.repeat(22)).returning, false);
  const back = names.claim(next, first.name, first.token);
  assert.equal([back.name, back.token, back.returning], [first.name, first.token, true]);
  assert.is(names.release(first.name, old), false, 'the old connection closing must not free the name');
  assert.is(names.release(first.name, next), true);
  assert.is(names.claim({}, first.name, null).name, first.name, 'free again');
});

test.run();
