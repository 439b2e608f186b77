/**
 * Journey (b), from the packed package: Transforms inserted into a server's decode and
 * encode chains with the `stages` option, observed by a `ws` client (programs/custom-stage.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';

const runs = journey('custom-stage');

for (const { system, label } of MODULE_SYSTEMS) {
  test(`custom decode and encode stages on a server change what a ws client sees (${label})`, async () => {
    assertPrinted((await runs())[system], [
      // Two frames in, so two MessageParts after Defragmenter; the encode stage uppercased the reply.
      'ws client got: HELLO STAGES AFTER 2 PARTS',
      'server decode stage saw: text text(last)',
      'ws client closed: 1000',
      'server closed',
    ]);
  });
}

test.run();
