/**
 * Journey (d), from the packed package, with rxjs installed as the peer: `connect$`
 * against a server observed through `connections$` and `messages$` (programs/rx.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';

const runs = journey('rx');

for (const { system, label } of MODULE_SYSTEMS) {
  test(`wspipe/rx: connect$ talks to connections$ + messages$, and all complete on close (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'client got: echo one, echo two',
      'client closed: 1000 clean true',
      'server got: one, two',
      'client states: closed → connecting → open → closing → closed',
    ]);
  });
}

test.run();
