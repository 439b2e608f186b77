/**
 * Interop: our server (the CLI's echo server, `createServer` listening on ws://) with a
 * client we did not write, the `ws` package. The cases are in
 * test/helpers/interop-cases/ws-client-cases.ts, shared with the wss:// twin (ws-client-tls.test.ts).
 */
import { test } from 'uvu';
import { wsClientCases } from '../helpers/interop-cases/ws-client-cases.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';

wsClientCases(test, interopTarget(false, 'listening'));

test.run();
