/**
 * Journey (j), from the packed package: WebSockets over HTTP/2 (RFC 8441) with a
 * WebSocketServer attached to a node:http2 secure server, next to an HTTP/1.1 upgrade on
 * the same port (programs/http2.mjs). HTTP/2 has no ws:// form: clients speak it over TLS only.
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';
import { pkiEnv } from '../helpers/tls.js';

const runs = journey('http2', pkiEnv);

for (const { system, label } of MODULE_SYSTEMS) {
  test(`connect(wss://…, { http2: true }) to a node:http2 server, and an HTTP/1.1 upgrade beside it (${label})`, async () => {
    assertPrinted((await runs())[system], [
      'http2: true: h2: got echo hi, closed 1000',
      'without http2: http/1.1: got echo hi, closed 1000',
      'server saw: h2 2.0, http/1.1 1.1',
      'servers closed',
    ]);
  });
}

test.run();
