/**
 * Journey (i), from the packed package: topics — `connection.subscribe`,
 * `connection.publish`, `server.publish` — over ws:// and wss:// (programs/topics.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';
import { pkiEnv } from '../helpers/tls.js';

const runs = journey('topics', pkiEnv);

for (const { system, label } of MODULE_SYSTEMS) {
  test(`topics: connection.publish and server.publish over ws:// and wss:// (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'ws:// topics: bob heard hi all; server.publish wrote to 2 of 2: news, news',
      'wss:// topics: bob heard hi all; server.publish wrote to 2 of 2: news, news',
      'servers closed',
    ]);
  });
}

test.run();
