/**
 * Journey (c), from the packed package: a server and its clients over ws:// and wss://
 * (a CA and a server certificate from test/helpers/tls.ts, as files), through
 * `connect()` and through `new WebSocket(url)` (programs/server-client.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';
import { pkiEnv } from '../helpers/tls.js';

const runs = journey('server-client', pkiEnv);

for (const { system, label } of MODULE_SYSTEMS) {
  test(`server and client over ws:// and wss://, with connect() and new WebSocket(url) (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'ws:// connect: got echo hi <070809>, protocol chat, closed true',
      // The server answers the close with its code and no reason (RFC 6455 §5.5.1).
      'ws:// WebSocket: got echo hi <070809>, protocol chat, close 1000  clean true',
      'wss:// connect: got echo hi <070809>, protocol chat, closed true',
      'wss:// WebSocket: got echo hi <070809>, protocol chat, close 1000  clean true',
      /^wss:\/\/ connect without the CA: refused \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)$/,
      'servers closed',
    ]);
  });
}

test.run();
