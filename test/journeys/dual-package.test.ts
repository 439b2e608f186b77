/**
 * Journey (g), from the packed package: one process loads both builds (ESM and CommonJS),
 * as when an application and one of its dependencies use different module systems. An
 * error made by one build must pass `instanceof` with the other build's class, from every
 * subpath that exports it (programs/dual-package.mjs). Each line prints `true` or `false`.
 */
import { test } from 'uvu';
import { MODULE_SYSTEMS, assertPrinted, journey } from '../helpers/consumer-program.js';

const runs = journey('dual-package');

const expected: string[] = [];
for (const [made, className, code, subpath] of [
  ['CommonJS', 'WebSocketError', 'WS_ERR_EXPECTED_MASK', 'transforms'],
  ['ESM', 'WebSocketError', 'WS_ERR_EXPECTED_MASK', 'transforms'],
  ['CommonJS', 'HandshakeError', 'WS_ERR_HANDSHAKE_BAD_METHOD', 'handshake'],
  ['ESM', 'HandshakeError', 'WS_ERR_HANDSHAKE_BAD_METHOD', 'handshake'],
] as const) {
  for (const build of ['ESM', 'CommonJS']) {
    for (const entry of ['wspipe', `wspipe/${subpath}`]) expected.push(`${made} ${className} (${code}) instanceof ${build} ${entry} ${className}: true`);
  }
}

for (const { system, label } of MODULE_SYSTEMS) {
  test(`errors from either build are instanceof WebSocketError / HandshakeError of both builds (${label} program)`, async () => {
    assertPrinted((await runs())[system], expected);
  });
}

test.run();
