/**
 * Our client's certificate checks over wss://, against the `ws` server on node:https (a
 * server we did not write): `connect()` verifies by default, against the CA given in
 * `ca`, for a DNS name and an IP address; it refuses unknown CAs, self-signed
 * certificates and names the certificate does not hold, with Node's error codes; and it
 * passes every TLS option it offers (rejectUnauthorized, servername, checkServerIdentity,
 * cert/key, minVersion) through to the TLS socket. The WHATWG WebSocket class and
 * `connect$` report a refused certificate too.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { firstValueFrom } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type ConnectOptions } from '../../src/client/connect.js';
import type { Connection } from '../../src/connection/connection.js';
import { connect$ } from '../../src/rx/index.js';
import { ErrorEvent, WebSocket, type CloseEvent } from '../../src/index.js';
import { startWsPeer, wsPeers, type WsPeer } from '../helpers/interop-cases/ws-peer-server.js';
import { testPki } from '../helpers/tls.js';
import { nextDomEvent, nextEvent, withTimeout } from '../helpers/timeouts.js';

const pki = testPki();
const peers = wsPeers();
test.after(peers.stopAll);
const https = (options: HttpsOptions): (() => Promise<WsPeer>) => peers.lazy(() => startWsPeer(createHttpsServer(options)));
/** The test server: its certificate is signed by the test CA, for localhost and 127.0.0.1. */
const caSigned = https({ key: pki.key, cert: pki.cert });
/** The same names, but a self-signed certificate. */
const selfSigned = https({ key: pki.selfSignedKey, cert: pki.selfSignedCert });
/** Accepts only clients with a certificate the test CA signed. */
const clientCertRequired = https({ key: pki.key, cert: pki.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true });
/** Like caSigned, for the one test that needs a server no client has connected to yet. */
const freshServer = https({ key: pki.key, cert: pki.cert });
/** Speaks TLS 1.2 at most. */
const tls12Only = https({ key: pki.key, cert: pki.cert, maxVersion: 'TLSv1.2' });
const plain = peers.lazy(() => startWsPeer(createHttpServer()));

type TlsError = Error & { code?: string };

/** Connects, echoes one message, closes: the connection works. */
async function echoesOver(url: string, options: ConnectOptions): Promise<void> {
  const connection = await withTimeout(connect(url, { handshakeTimeout: 5000, ...options }), 6000, `connect(${url})`);
  try {
    const reply = nextEvent<[{ type: string; data: unknown }]>(connection, 'message', 5000, 'the echo');
    connection.send('over TLS');
    assert.equal((await reply)[0], { type: 'text', data: 'over TLS' });
  } finally {
    connection.terminate();
  }
}

/** The error `connect()` rejects with; fails if it connects. The peer must not see a WebSocket connection. */
async function refusal(peer: WsPeer, url: string, options: ConnectOptions): Promise<TlsError> {
  const before = peer.accepted;
  let connection: Connection | undefined;
  try {
    connection = await withTimeout(connect(url, { handshakeTimeout: 5000, ...options }), 6000, `connect(${url}) to settle`);
  } catch (error) {
    assert.instance(error, Error, 'connect() rejects with an Error');
    assert.is(peer.accepted, before, 'the server accepted no WebSocket connection');
    return error as TlsError;
  }
  connection.terminate();
  assert.unreachable(`connect(${url}) succeeded; it must refuse`);
  throw new Error('unreachable');
}

function hasCode(error: TlsError, code: string): void {
  assert.is(error.code, code, `error code (message: ${error.message})`);
}

test('connect() with `ca` verifies the server as wss://127.0.0.1 (IP in the certificate) and wss://localhost (DNS name), and echoes', async () => {
  const peer = await caSigned();
  await echoesOver(peer.url, { ca: pki.ca });
  await echoesOver(`wss://localhost:${peer.port}/`, { ca: pki.ca });
});

test('connect() without `ca` refuses the test CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE, with a readable message', async () => {
  const peer = await caSigned();
  const error = await refusal(peer, peer.url, {});
  hasCode(error, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.match(error.message, /unable to verify the first certificate/);
});

test('connect() with `ca` set to a CA that did not sign the certificate refuses: UNABLE_TO_VERIFY_LEAF_SIGNATURE', async () => {
  const peer = await caSigned();
  hasCode(await refusal(peer, peer.url, { ca: pki.otherCa }), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('connect() refuses a self-signed certificate, even for the right names: DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
  const peer = await selfSigned();
  const error = await refusal(peer, peer.url, { ca: pki.ca });
  hasCode(error, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.match(error.message, /self-signed certificate/);
});

test('connect() with `rejectUnauthorized: false` connects to the unverifiable servers (unknown CA, self-signed) and echoes', async () => {
  await echoesOver((await caSigned()).url, { rejectUnauthorized: false });
  await echoesOver((await selfSigned()).url, { rejectUnauthorized: false });
});

test('connect() with a `servername` the certificate does not name refuses: ERR_TLS_CERT_ALTNAME_INVALID; one it names verifies', async () => {
  const peer = await caSigned();
  const error = await refusal(peer, peer.url, { ca: pki.ca, servername: 'example.com' });
  hasCode(error, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.match(error.message, /example\.com/);
  await echoesOver(peer.url, { ca: pki.ca, servername: 'localhost' });
});

test('connect() calls `checkServerIdentity` with the host name and the certificate; the Error it returns refuses', async () => {
  const peer = await freshServer(); // no earlier connection: nothing to resume (see the next test)
  const seen: Array<{ host: string; subject: string }> = [];
  const pinned = (host: string, cert: PeerCertificate): Error | undefined => {
    seen.push({ host, subject: String(cert.subject.CN) });
    return host === 'localhost' ? undefined : new Error(`not the pinned host: ${host}`);
  };
  const error = await refusal(peer, peer.url, { ca: pki.ca, checkServerIdentity: pinned });
  assert.is(error.message, 'not the pinned host: 127.0.0.1');
  await echoesOver(`wss://localhost:${peer.port}/`, { ca: pki.ca, checkServerIdentity: pinned });
  assert.equal(seen, [
    { host: '127.0.0.1', subject: 'localhost' },
    { host: 'localhost', subject: 'localhost' },
  ]);
});

test('connect() runs `checkServerIdentity` even after an earlier connection to the same server (no TLS session resumed past it)', async () => {
  const peer = await caSigned();
  await echoesOver(peer.url, { ca: pki.ca }); // leaves a TLS session a later connection could resume
  let calls = 0;
  const rejectAll = (): Error => {
    calls++;
    return new Error('the pinned key does not match');
  };
  const error = await refusal(peer, peer.url, { ca: pki.ca, checkServerIdentity: rejectAll });
  assert.is(error.message, 'the pinned key does not match');
  assert.is(calls, 1);
});

test('connect() with `cert` and `key` passes a server that requires a client certificate; without them it is refused', async () => {
  const peer = await clientCertRequired();
  const authorized = nextEvent<[unknown, { socket: { authorized?: boolean } }]>(peer.wss, 'connection', 6000, 'the ws server to accept the client');
  await echoesOver(peer.url, { ca: pki.ca, cert: pki.cert, key: pki.key });
  assert.is((await authorized)[1].socket.authorized, true, 'the server verified our client certificate');
  const error = await refusal(peer, peer.url, { ca: pki.ca });
  hasCode(error, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
});

test('connect() with `minVersion: TLSv1.3` refuses a TLS 1.2 server (EPROTO), which it accepts by default', async () => {
  const peer = await tls12Only();
  hasCode(await refusal(peer, peer.url, { ca: pki.ca, minVersion: 'TLSv1.3' }), 'EPROTO');
  await echoesOver(peer.url, { ca: pki.ca });
});

test('wrong scheme: wss:// to a plain server fails with EPROTO, ws:// to a TLS server with ECONNRESET; neither hangs', async () => {
  const plainPeer = await plain();
  hasCode(await refusal(plainPeer, plainPeer.url.replace('ws:', 'wss:'), { ca: pki.ca }), 'EPROTO');
  const tlsPeer = await caSigned();
  const error = await refusal(tlsPeer, tlsPeer.url.replace('wss:', 'ws:'), {});
  hasCode(error, 'ECONNRESET');
});

test("new WebSocket(wss://…, [], { ca }) opens; without `ca` it fires 'error' (the TLS error, with its code) then 'close' 1006", async () => {
  const peer = await caSigned();
  const trusted = new WebSocket(peer.url, [], { ca: pki.ca });
  await nextDomEvent(trusted, 'open', 6000, "the trusting WebSocket's 'open'");
  const closed = nextDomEvent<CloseEvent>(trusted, 'close', 5000, "the trusting WebSocket's 'close'");
  trusted.close(1000);
  assert.is((await closed).code, 1000);

  const untrusting = new WebSocket(peer.url);
  const events: string[] = [];
  untrusting.addEventListener('open', () => events.push('open'));
  const errorEvent = nextDomEvent<ErrorEvent>(untrusting, 'error', 6000, "the WebSocket's 'error'");
  const closeEvent = nextDomEvent<CloseEvent>(untrusting, 'close', 6000, "the WebSocket's 'close'");
  const error = await errorEvent;
  assert.instance(error, ErrorEvent);
  assert.is((error.error as TlsError).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.match(error.message, /unable to verify the first certificate/);
  const close = await closeEvent;
  assert.equal([close.code, close.wasClean], [1006, false]);
  assert.equal(events, [], 'never opened');
});

test('connect$(wss://…) without `ca`: subscribers get the TLS error (code UNABLE_TO_VERIFY_LEAF_SIGNATURE); with `ca` it echoes', async () => {
  const peer = await caSigned();
  const refused = await withTimeout(firstValueFrom(connect$(peer.url)).then(() => null, (error: unknown) => error), 6000, 'connect$ to fail');
  assert.instance(refused, Error);
  assert.is((refused as TlsError).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');

  const subject = connect$(peer.url, { ca: pki.ca });
  const reply = withTimeout(firstValueFrom(subject), 6000, 'the echo through connect$');
  subject.next('rx over TLS');
  assert.equal(await reply, { type: 'text', data: 'rx over TLS' });
});

test.run();
