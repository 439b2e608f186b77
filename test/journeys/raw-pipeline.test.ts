/**
 * Journey (a), from the packed package: a bare `net` server does the opening handshake
 * with `wspipe/handshake` and runs the connection as one `stream.pipeline` of
 * `wspipe/transforms` stages; a `ws` client talks to it (programs/raw-pipeline.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';

const runs = journey('raw-pipeline');

for (const { system, label } of MODULE_SYSTEMS) {
  test(`a net server piped through wspipe/handshake and wspipe/transforms serves a ws client (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'acceptKey(RFC 6455 sample): s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', // RFC 6455 §1.3
      'server read: GET /raw?x=1, protocols chat',
      'ws client open, protocol chat',
      'ws client got: HELLO, PIPELINE',
      'ws client got binary true: 010203',
      'ws client closed: 4001 done',
      'server pipeline ended cleanly',
    ]);
  });
}

test.run();
