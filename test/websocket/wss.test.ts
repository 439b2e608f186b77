/**
 * wss://: the WebSocket class against wspipe's server over TLS, trusting the test CA
 * through the third constructor argument; Node's client (trusting it through
 * NODE_EXTRA_CA_CERTS) side by side. An https: URL reads as wss:.
 */
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../../src/index.js';
import { testPki } from '../helpers/tls.js';
import { guardLeaks } from '../rx/helpers.js';
import { runNode, runOurs } from './probe.js';

guardLeaks(test);

test('wss://: open, a message each way, a clean close, through TLS; as Node', async () => {
  const pki = testPki();
  const server = createServer({ host: '127.0.0.1', port: 0, tls: { key: pki.key, cert: pki.cert } }, (connection) => {
    connection.send('over tls');
    connection.on('message', (message) => connection.send(`echo: ${String(message.data)}`));
  });
  await once(server, 'listening');
  const url = `wss://localhost:${(server.address() as AddressInfo).port}/secure`;
  const scenario = { onOpen: "ws.send('ping')", onMessage: "if (event.data.startsWith('echo')) ws.close(4000, 'bye');" };
  const origin = url.replace(/\/secure$/, '');
  const standard = [
    { event: 'open', readyState: 1, protocol: '', extensions: '' },
    { event: 'message', text: 'over tls', origin },
    { event: 'message', text: 'echo: ping', origin },
    { event: 'close', code: 4000, reason: '', wasClean: true, readyState: 3 },
  ];
  try {
    assert.equal(await runOurs(url, scenario, { ca: pki.ca }), standard);
    assert.equal(await runOurs(url.replace('wss:', 'https:'), scenario, { ca: pki.ca }), standard);
    assert.equal(await runNode(url, scenario, { NODE_EXTRA_CA_CERTS: pki.caFile }), standard);
    // Without the CA the certificate is not trusted: the connection fails (error, close 1006).
    const untrusted = await runOurs(url, scenario);
    assert.equal(untrusted.map((record) => record.event), ['error', 'close']);
  } finally {
    for (const connection of server.connections) connection.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test.run();
