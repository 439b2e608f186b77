/**
 * Journey (h), from the packed package: `WebSocketStream` against a server that uses
 * `connection.stream()`, over ws:// and wss:// (programs/websocket-stream.mjs).
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';
import { pkiEnv } from '../helpers/tls.js';

const runs = journey('websocket-stream', pkiEnv);

for (const { system, label } of MODULE_SYSTEMS) {
  test(`WebSocketStream ↔ connection.stream() over ws:// and wss:// (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'ws:// WebSocketStream: got echo hi <070809>, protocol chat, closed 1000',
      'wss:// WebSocketStream: got echo hi <070809>, protocol chat, closed 1000',
      'servers closed',
    ]);
  });
}

test.run();
