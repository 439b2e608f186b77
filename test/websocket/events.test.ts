/**
 * CloseEvent (WHATWG WebSockets) and ErrorEvent (HTML) constructors: the same checks run
 * against wspipe's classes and Node's client's (taken from the events it fires, as Node 20
 * has no such globals), with WebIDL's conversions as the standard.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloseEvent, ErrorEvent } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { guardLeaks } from '../rx/helpers.js';
import { eventsOf, sideBySide } from './probe.js';
import { startRawServer } from './raw-server.js';

guardLeaks(test);

/** Runs in each client's error and close handlers, with that client's event classes. */
const CHECKS = `
  const Ctor = event.constructor;
  const name = event.type === 'close' ? 'CloseEvent' : 'ErrorEvent';
  const shape = (e) => name === 'CloseEvent'
    ? { type: e.type, code: e.code, reason: e.reason, wasClean: e.wasClean, bubbles: e.bubbles, isEvent: e instanceof Event }
    : { type: e.type, message: e.message, filename: e.filename, lineno: e.lineno, colno: e.colno, error: e.error === undefined ? 'undefined' : e.error, bubbles: e.bubbles, isEvent: e instanceof Event };
  attempt(name + '()', () => new Ctor());
  attempt(name + '(Symbol)', () => new Ctor(Symbol('x')));
  attempt(name + "('x', 5)", () => new Ctor('x', 5));
  log({ event: name, case: 'defaults', ...shape(new Ctor('x')) });
  log({ event: name, case: 'null init', ...shape(new Ctor('x', null)) });
  if (name === 'CloseEvent') {
    log({ event: name, case: 'converted', ...shape(new Ctor('close', { code: 65537, reason: 'a\\uD800b', wasClean: 1, bubbles: true })) });
    log({ event: name, case: 'wrapped', ...shape(new Ctor(42, { code: -1 })) });
    log({ event: name, case: 'truncated', ...shape(new Ctor('close', { code: 3000.9, reason: 7 })) });
  } else {
    const cause = { cause: 1 };
    const converted = new Ctor('error', { message: 5, filename: 'f\\uDC00', lineno: -1, colno: 4294967297, error: cause });
    log({ event: name, case: 'converted', ...shape(converted), sameError: converted.error === cause });
  }
`;

test("CloseEvent and ErrorEvent: a type is required, init members are converted by WebIDL; as Node's", async () => {
  // A masked frame makes both clients fire an error event, then a close event.
  const server = await startRawServer((peer) => {
    peer.write(frame({ opcode: 0x1, payload: 'x', mask: MASK }));
  });
  try {
    const { node, ours } = await sideBySide(server.url, { onError: CHECKS, onClose: CHECKS });
    const standard = [
      { event: 'call', label: 'ErrorEvent()', outcome: 'TypeError/TypeError' },
      { event: 'call', label: 'ErrorEvent(Symbol)', outcome: 'TypeError/TypeError' },
      { event: 'call', label: "ErrorEvent('x', 5)", outcome: 'TypeError/TypeError' },
      { event: 'ErrorEvent', case: 'defaults', type: 'x', message: '', filename: '', lineno: 0, colno: 0, error: 'undefined', bubbles: false, isEvent: true },
      { event: 'ErrorEvent', case: 'null init', type: 'x', message: '', filename: '', lineno: 0, colno: 0, error: 'undefined', bubbles: false, isEvent: true },
      { event: 'ErrorEvent', case: 'converted', type: 'error', message: '5', filename: 'f\uFFFD', lineno: 4294967295, colno: 1, error: { cause: 1 }, bubbles: false, isEvent: true, sameError: true },
      { event: 'call', label: 'CloseEvent()', outcome: 'TypeError/TypeError' },
      { event: 'call', label: 'CloseEvent(Symbol)', outcome: 'TypeError/TypeError' },
      { event: 'call', label: "CloseEvent('x', 5)", outcome: 'TypeError/TypeError' },
      { event: 'CloseEvent', case: 'defaults', type: 'x', code: 0, reason: '', wasClean: false, bubbles: false, isEvent: true },
      { event: 'CloseEvent', case: 'null init', type: 'x', code: 0, reason: '', wasClean: false, bubbles: false, isEvent: true },
      { event: 'CloseEvent', case: 'converted', type: 'close', code: 1, reason: 'a\uFFFDb', wasClean: true, bubbles: true, isEvent: true },
      { event: 'CloseEvent', case: 'wrapped', type: '42', code: 65535, reason: '', wasClean: false, bubbles: false, isEvent: true },
      { event: 'CloseEvent', case: 'truncated', type: 'close', code: 3000, reason: '7', wasClean: false, bubbles: false, isEvent: true },
    ];
    const checks = (records: typeof ours) => eventsOf(records, 'call', 'ErrorEvent', 'CloseEvent');
    assert.equal(checks(ours), standard);
    // Node's client (undici 6) deviates in three cases: it does not wrap a negative
    // lineno or code modulo 2^32 / 2^16, and a null init leaves code, reason and wasClean undefined.
    const deviates = (record: { event: string; case?: unknown }) =>
      ['ErrorEvent converted', 'CloseEvent null init', 'CloseEvent wrapped'].includes(`${record.event} ${String(record.case)}`);
    assert.equal(checks(node).filter((record) => !deviates(record)), standard.filter((record) => !deviates(record)));
    assert.is(checks(node).filter(deviates).length, 3);
  } finally {
    await server.stop();
  }
});

test('the exported classes: instances of Event, read-only attributes, the cause kept as `error`', () => {
  const cause = new Error('boom');
  const error = new ErrorEvent('error', { message: 'boom', error: cause, filename: 'a.js', lineno: 3, colno: 7 });
  assert.instance(error, Event);
  assert.equal([error.message, error.filename, error.lineno, error.colno], ['boom', 'a.js', 3, 7]);
  assert.is(error.error, cause);
  const close = new CloseEvent('close', { code: 4000, reason: 'r', wasClean: true, cancelable: true });
  assert.equal([close.code, close.reason, close.wasClean, close.cancelable], [4000, 'r', true, true]);
  // WebIDL attributes are accessors on the prototype: an assignment does not change them.
  assert.throws(() => {
    (close as unknown as { code: number }).code = 1;
  }, TypeError);
  assert.is(close.code, 4000);
  assert.ok(Object.getOwnPropertyDescriptor(CloseEvent.prototype, 'reason')?.get);
  assert.ok(Object.getOwnPropertyDescriptor(ErrorEvent.prototype, 'colno')?.get);
});

test.run();
