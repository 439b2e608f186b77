/**
 * The options of `createRedisBroker()`, checked at the call, before anything connects: a
 * wrong type is a TypeError (ERR_INVALID_ARG_TYPE), a value out of range a RangeError
 * (ERR_OUT_OF_RANGE), each naming the option. No Redis is needed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRedisBroker, type RedisBrokerOptions } from '../../src/redis/index.js';
import { REDIS_BROKER_SCHEMA } from '../../src/redis/options.js';

interface Row {
  wrongType: unknown[];
  outOfRange: unknown[];
  /** The least value accepted, where there is one. */
  least?: unknown;
}

const ROWS: Record<keyof RedisBrokerOptions, Row> = {
  url: { wrongType: [5, null, new URL('redis://127.0.0.1')], outOfRange: ['http://127.0.0.1:6379', '127.0.0.1:6379', ''] },
  clientOptions: { wrongType: ['url', 5, true], outOfRange: [] },
  prefix: { wrongType: [5, null, Symbol('p')], outOfRange: [] },
  maxStreamLength: { wrongType: ['100', null], outOfRange: [0, -1, 1.5], least: 1 },
  streamTtl: { wrongType: ['60000', null], outOfRange: [999, 0, 2 ** 31, 1000.5], least: 1000 },
  maxPending: { wrongType: ['10', true], outOfRange: [0, -1, 2.5], least: 1 },
  maxPendingBytes: { wrongType: ['1000', {}], outOfRange: [0, 0.5], least: 1 },
  maxReconnectDelay: { wrongType: ['100', null], outOfRange: [0, -1, 2 ** 31], least: 1 },
};

/** The sockets and timers running now: a broker refused at the call must start none. */
function running(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap' || type === 'Timeout').length;
}

test('the table has a row for every option of the schema', () => {
  assert.equal(Object.keys(ROWS).sort(), Object.keys(REDIS_BROKER_SCHEMA).sort());
});

for (const [name, row] of Object.entries(ROWS)) {
  test(`${name}: wrong types are TypeErrors, values out of range RangeErrors, both naming it; nothing starts`, () => {
    const before = running();
    const cases = [...row.wrongType.map((value) => ({ value, kind: TypeError })), ...row.outOfRange.map((value) => ({ value, kind: RangeError }))];
    for (const { value, kind } of cases) {
      assert.throws(
        () => createRedisBroker({ [name]: value } as RedisBrokerOptions),
        (error: Error & { code?: string }) =>
          error.constructor === kind && error.code === (kind === TypeError ? 'ERR_INVALID_ARG_TYPE' : 'ERR_OUT_OF_RANGE') && error.message.includes(`"${name}"`),
        `${name}: ${String(value)}`,
      );
    }
    assert.is(running(), before);
  });
}

test('the options object itself must be an object', () => {
  for (const value of [5, 'redis://127.0.0.1', null]) assert.throws(() => createRedisBroker(value as never), (error: Error) => error instanceof TypeError);
});

test('the least value of each bounded option is taken', async () => {
  const least = Object.fromEntries(Object.entries(ROWS).flatMap(([name, row]) => (row.least === undefined ? [] : [[name, row.least]])));
  // Port 1: nothing listens; the broker is closed before it ever reaches Redis.
  const broker = createRedisBroker({ url: 'redis://127.0.0.1:1', ...least });
  broker.on('error', () => {});
  await broker.close();
});

test.run();
