/**
 * Interop over TLS: our client (`connect`, trusting the test CA through `ca`) with the
 * `ws` package's WebSocketServer attached to a node:https server. The very cases of the
 * plain ws-server.test.ts (test/helpers/interop-cases/ws-server-cases.ts).
 */
import { suite } from 'uvu';
import { wsServerCases } from '../helpers/interop-cases/ws-server-cases.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';

const target = interopTarget(true, 'attached');
const tests = suite(target.label);
wsServerCases(tests, target);
tests.run();
