/**
 * Interop over TLS: our server with Node's own WebSocket client in a child process that
 * trusts the test CA through NODE_EXTRA_CA_CERTS (and nothing else: no verification is
 * turned off), in both ways our server offers wss://: `createServer({ tls })` and
 * attached to a node:https server. The very cases of the plain node-client.test.ts
 * (test/helpers/interop-cases/node-client-cases.ts), once per way, and the host name.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeClientCases, recordOf, runNodeClient } from '../helpers/interop-cases/node-client-cases.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';
import { patternText, sha256Hex } from '../helpers/payloads.js';

for (const mode of ['listening', 'attached'] as const) {
  const target = interopTarget(true, mode);
  const tests = suite(target.label);
  nodeClientCases(tests, target);
  tests.run();
}

const names = suite('wss:// host names');
const target = interopTarget(true, 'listening');

names("Node's WebSocket verifies wss://localhost (a DNS name in the certificate) as well as 127.0.0.1", async () => {
  const server = await target.startEcho();
  try {
    const records = await runNodeClient(target, server, 'echo', {
      WS_URL: `wss://localhost:${server.port}/`,
      WS_SIZES: JSON.stringify([125]),
    });
    const echoes = records.filter((record) => record.event === 'echo');
    assert.is(echoes[0]?.digest, sha256Hex(patternText(125, 125)));
    assert.is(recordOf(records, 'close').code, 1000);
  } finally {
    await server.stop();
  }
});

names.run();
