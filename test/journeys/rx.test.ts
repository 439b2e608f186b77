/**
 * Journey (d), from the packed package, with rxjs installed as the peer: `connect$`
 * against a server observed through `connections$` and `messages$` (programs/rx.mjs),
 * and `connect$` over wss:// with a CA (programs/rx-wss.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';
import { pkiEnv } from '../helpers/tls.js';

const runs = journey('rx');
const secureRuns = journey('rx-wss', pkiEnv);

for (const { system, label } of MODULE_SYSTEMS) {
  test(`wspipe/rx: connect$ talks to connections$ + messages$, and all complete on close (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'client got: echo one, echo two',
      'client closed: 1000 clean true',
      'server got: one, two',
      'client states: closed → connecting → open → closing → closed',
    ]);
  });

  test(`wspipe/rx: connect$ over wss:// trusts the CA it is given, and is refused without it (${label})`, async () => {
    assertPrinted((await secureRuns())[system], [
      'wss:// client got: echo one, echo two',
      'wss:// client closed: 1000 clean true',
      /^wss:\/\/ without the CA: refused \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)$/,
      'server closed',
    ]);
  });
}

test.run();
