/**
 * Our server over TLS, beyond the shared interop cases, with the `ws` client as the peer:
 * `verifyClient` learns that the socket is secure in both ways our server offers wss://
 * (and not over ws://); clients that fail the TLS handshake (an untrusted certificate, a
 * plain ws:// request to the TLS port) cost it nothing and the next client is served;
 * and `tls` options reach the TLS server, so it can require client certificates.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WsWebSocket from 'ws';
import { echo } from '../../src/cli/echo-server.js';
import type { VerifyClientInfo } from '../../src/server/options.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';
import { startListening, type EchoServer } from '../helpers/servers.js';
import { testPki } from '../helpers/tls.js';
import { delay, nextEvent, withTimeout } from '../helpers/timeouts.js';

const pki = testPki();
const targets = [interopTarget(false, 'listening'), interopTarget(true, 'listening'), interopTarget(true, 'attached')];

/** Opens a ws client, echoes one message, closes it cleanly. */
async function echoWithWs(url: string, options: WsWebSocket.ClientOptions): Promise<void> {
  const ws = new WsWebSocket(url, options);
  ws.on('error', () => {});
  try {
    await nextEvent(ws, 'open', 5000, 'the ws client to open');
    const reply = nextEvent<[Buffer]>(ws, 'message', 5000, 'the echo');
    ws.send('hello');
    assert.is((await reply)[0].toString(), 'hello');
    const closed = nextEvent(ws, 'close', 5000, "the ws client's close");
    ws.close(1000);
    await closed;
  } finally {
    ws.terminate();
  }
}

/** The error a ws client fails with before opening (it must not open). */
async function wsRefusal(url: string, options: WsWebSocket.ClientOptions): Promise<Error & { code?: string }> {
  const ws = new WsWebSocket(url, options);
  try {
    const [error] = await withTimeout(
      new Promise<[Error]>((resolve, reject) => {
        ws.once('error', (error) => resolve([error]));
        ws.once('open', () => reject(new Error('the ws client opened; it must fail')));
      }),
      5000,
      'the ws client to fail',
    );
    return error;
  } finally {
    ws.terminate();
  }
}

for (const target of targets) {
  test(`verifyClient is told secure: ${target.secure} (${target.label})`, async () => {
    const infos: VerifyClientInfo[] = [];
    const server = await target.startEcho({
      verifyClient: (info) => {
        infos.push(info);
        return true;
      },
    });
    try {
      await echoWithWs(server.url, target.trust);
      assert.is(infos.length, 1);
      assert.is(infos[0]!.secure, target.secure);
    } finally {
      await server.stop();
    }
  });
}

for (const target of targets.filter((each) => each.secure)) {
  test(`clients failing the TLS handshake (untrusted certificate; ws:// to the TLS port) cost the server nothing; the next client is served (${target.label})`, async () => {
    const server = await target.startEcho();
    const events: string[] = [];
    server.server.on('error', (error) => events.push(`error ${error.message}`));
    server.server.on('handshakeError', (error) => events.push(`handshakeError ${error.message}`));
    server.server.on('connection', () => events.push('connection'));
    try {
      const untrusted = await wsRefusal(server.url, {});
      assert.is(untrusted.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      const plainText = await wsRefusal(server.url.replace('wss:', 'ws:'), {});
      assert.is(plainText.code, 'ECONNRESET');
      await delay(50); // anything the server would report about them comes now
      assert.equal(events, [], 'no error, handshakeError or connection');
      await echoWithWs(server.url, target.trust);
      assert.equal(events, ['connection']);
    } finally {
      await server.stop();
    }
  });
}

test('createServer({ tls: { requestCert, rejectUnauthorized, ca } }) serves a ws client with a certificate the CA signed, and refuses one without', async () => {
  const server: EchoServer = await startListening(
    { tls: { key: pki.key, cert: pki.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true } },
    echo,
  );
  let connections = 0;
  server.server.on('connection', () => connections++);
  try {
    await echoWithWs(server.url, { ca: pki.ca, cert: pki.cert, key: pki.key });
    assert.is(connections, 1);
    const refused = await wsRefusal(server.url, { ca: pki.ca });
    // TLS 1.3: the client finishes its handshake before the server checks for a certificate,
    // so it learns of the refusal from the server's alert, or from the reset that follows.
    assert.ok(refused.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || refused.code === 'ECONNRESET', `error code ${refused.code}: ${refused.message}`);
    assert.is(connections, 1, 'no connection without a client certificate');
  } finally {
    await server.stop();
  }
});

test.run();
