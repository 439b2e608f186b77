/**
 * Limits over HTTP/2 (RFC 8441): extended CONNECT streams count against the server's
 * maxConnections like sockets (a 503 on the stream beyond it, the session carrying on),
 * a stream that ends while verifyClient waits gives its place back, and the client's
 * handshakeTimeout and signal bound a stream that gets no answer.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, HandshakeError, type Connection } from '../../src/index.js';
import { startH2Site, type H2Site } from '../helpers/h2.js';
import { closeOf } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();
const test = suite('HTTP/2 limits');
const sites: H2Site[] = [];
async function site(options: Parameters<typeof startH2Site>[0] = {}): Promise<H2Site> {
  const started = await startH2Site(options);
  sites.push(started);
  return started;
}
test.after.each(async () => {
  for (const started of sites.splice(0)) await started.stop();
});

function failure(promise: Promise<Connection>): Promise<Error> {
  return promise.then(
    (connection) => {
      connection.terminate();
      throw new Error('the connection was accepted');
    },
    (error: Error) => error,
  );
}

/** verifyClient that never answers a request with x-wait, and accepts the others. */
const waitOnHeader = { verifyClient: ({ request }: { request: { headers: Record<string, unknown> } }) => (request.headers['x-wait'] ? new Promise<boolean>(() => {}) : true) };

test('past maxConnections a stream gets 503 on itself; the session carries on and a freed place is taken again', async () => {
  const h2 = await site({ wss: { maxConnections: 2 } });
  const first = await connect(h2.url, { ca: pki.ca, http2: true });
  const second = await connect(h2.url, { ca: pki.ca, http2: true });
  const refused = await failure(connect(h2.url, { ca: pki.ca, http2: true }));
  assert.instance(refused, HandshakeError);
  assert.is((refused as HandshakeError).statusCode, 503);
  assert.match(refused.message, /at capacity/);
  assert.is(h2.sessions.length, 1, 'the refusal was on the stream, not the session');
  assert.is(second.transport, 'h2');
  first.close(1000);
  await closeOf(first);
  await eventually(() => h2.wss.connections.size === 1, 2000, 'the first connection to be gone');
  const third = await connect(h2.url, { ca: pki.ca, http2: true });
  assert.is(third.transport, 'h2');
  assert.is(h2.sessions.length, 1);
  for (const client of [second, third]) client.close(1000);
  await Promise.all([closeOf(second), closeOf(third)]);
});

test('handshakeTimeout over h2: a stream with no answer rejects WS_ERR_HANDSHAKE_TIMEOUT, is cancelled and frees its place', async () => {
  const h2 = await site({ wss: { maxConnections: 1, ...waitOnHeader } });
  const started = Date.now();
  const timedOut = await failure(connect(h2.url, { ca: pki.ca, http2: true, handshakeTimeout: 300, headers: { 'x-wait': '1' } }));
  assert.instance(timedOut, HandshakeError);
  assert.is((timedOut as HandshakeError).code, 'WS_ERR_HANDSHAKE_TIMEOUT');
  assert.ok(Date.now() - started >= 250, 'not before the timeout');
  // The cancelled stream gave its place back, though verifyClient never answered it.
  const client = await connect(h2.url, { ca: pki.ca, http2: true });
  assert.is(client.transport, 'h2');
  assert.is(h2.sessions.length, 2, 'the session of the failed attempt was closed with it; this one is new');
  client.close(1000);
  await closeOf(client);
});

test("the caller's signal over h2: an abort while the stream waits rejects with an AbortError and frees the place", async () => {
  const h2 = await site({ wss: { maxConnections: 1, ...waitOnHeader } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const aborted = await failure(connect(h2.url, { ca: pki.ca, http2: true, signal: controller.signal, headers: { 'x-wait': '1' } }));
  assert.is(aborted.name, 'AbortError');
  const client = await connect(h2.url, { ca: pki.ca, http2: true });
  client.close(1000);
  await closeOf(client);
});

test.run();
