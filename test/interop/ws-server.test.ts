/**
 * Interop: our client (`connect`) over ws:// with a server we did not write, the `ws`
 * package's WebSocketServer. The cases are in test/helpers/interop-cases/ws-server-cases.ts,
 * shared with the wss:// twin (ws-server-tls.test.ts).
 */
import { test } from 'uvu';
import { wsServerCases } from '../helpers/interop-cases/ws-server-cases.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';

wsServerCases(test, interopTarget(false, 'attached'));

test.run();
