/**
 * Interop: our echo server (`createServer` listening on ws://) with Node's own WebSocket
 * client in a child process. The cases are in test/helpers/interop-cases/node-client-cases.ts,
 * shared with the wss:// twin (node-client-tls.test.ts).
 */
import { test } from 'uvu';
import { nodeClientCases } from '../helpers/interop-cases/node-client-cases.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';

nodeClientCases(test, interopTarget(false, 'listening'));

test.run();
