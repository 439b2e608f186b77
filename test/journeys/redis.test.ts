/**
 * Journey (k), from the packed package, with redis installed as the peer and a real
 * redis-server (test/helpers/redis.ts): two servers sharing a topic through `wspipe/redis`,
 * one over ws:// and one over wss:// (programs/redis.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { pkiEnv } from '../helpers/tls.js';

let redis: RedisServer | undefined;
const runs = journey('redis', () => ({ ...pkiEnv(), REDIS_URL: redis!.url }));

test.before(async () => {
  redis = await startRedis();
});
test.after(async () => {
  await redis?.stop();
});

for (const { system, label } of MODULE_SYSTEMS) {
  test(`wspipe/redis: publications cross between a ws:// and a wss:// server (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'server.publish on the ws:// server wrote here to 1',
      'the wss:// client got: from ws server',
      'the ws:// client got: from wss client',
      'servers closed',
    ]);
  });
}

test.run();
