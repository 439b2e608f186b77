/**
 * Interop over TLS: our server with the `ws` client (trusting the test CA through `ca`),
 * in both ways our server offers wss://: `createServer({ tls })` listening by itself, and
 * `new WebSocketServer({ server })` attached to a node:https server. The very cases of
 * the plain ws-client.test.ts (test/helpers/interop-cases/ws-client-cases.ts), once per way.
 */
import { suite } from 'uvu';
import { wsClientCases } from '../helpers/interop-cases/ws-client-cases.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';

for (const mode of ['listening', 'attached'] as const) {
  const target = interopTarget(true, mode);
  const tests = suite(target.label);
  wsClientCases(tests, target);
  tests.run();
}
