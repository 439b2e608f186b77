/**
 * `http2: true` falls back to the HTTP/1.1 upgrade, transparently: against a server that
 * speaks h2 but does not allow extended CONNECT (RFC 8441 §3), against `ws` on an https
 * server (no h2 in ALPN: the same TLS connection carries the upgrade), on ws://, and with a
 * caller's session to a server without the setting.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as http2Connect, createSecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { Agent } from 'node:http';
import { WebSocketServer as WsServer } from 'ws';
import { connect, createServer, type Connection } from '../../src/index.js';
import { echo } from '../../src/cli/echo-server.js';
import { stopHttp2Server } from '../helpers/h2.js';
import { closeOf, listenWebServer, startEcho, stopServer, stopWebServer } from '../helpers/servers.js';
import { nextEvent } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();
const test = suite('http2: true falls back to HTTP/1.1');
const cleanups: Array<() => Promise<void>> = [];
test.after.each(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function roundTrip(client: Connection, text: string): Promise<void> {
  const reply = nextEvent<[{ data: string }]>(client, 'message', 5000, 'the echo');
  client.send(text);
  assert.is((await reply)[0].data, text);
}

/** An h2 server that does not allow extended CONNECT, taking WebSocket upgrades over HTTP/1.1 only (noServer). */
async function h2WithoutSetting(): Promise<{ url: string; origin: string; sessions: ServerHttp2Session[]; connections: Connection[] }> {
  const web = createSecureServer({ key: pki.key, cert: pki.cert, allowHTTP1: true }, (_request, response) => response.end('page'));
  const sessions: ServerHttp2Session[] = [];
  web.on('session', (session) => sessions.push(session));
  const connections: Connection[] = [];
  const wss = createServer({ noServer: true }, (connection) => {
    connections.push(connection);
    echo(connection);
  });
  web.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head));
  const port = await listenWebServer(web as never);
  cleanups.push(async () => {
    await stopServer(wss);
    await stopHttp2Server(web, sessions);
  });
  return { url: `wss://localhost:${port}/`, origin: `https://localhost:${port}`, sessions, connections };
}

test('an h2 server without SETTINGS_ENABLE_CONNECT_PROTOCOL: the WebSocket opens over HTTP/1.1', async () => {
  const server = await h2WithoutSetting();
  const client = await connect(server.url, { ca: pki.ca, http2: true });
  assert.is(client.transport, 'http/1.1');
  assert.is(server.connections[0]?.transport, 'http/1.1');
  assert.is(server.sessions.length, 1, 'the h2 session that told us so');
  await roundTrip(client, 'fell back');
  client.close(1000);
  await closeOf(client);
});

test('a caller\'s session to a server without the setting: fallback too, and the session is left open', async () => {
  const server = await h2WithoutSetting();
  const session = http2Connect(server.origin, { ca: pki.ca });
  const client = await connect(server.url, { ca: pki.ca, http2: session });
  assert.is(client.transport, 'http/1.1');
  await roundTrip(client, 'fell back');
  client.close(1000);
  await closeOf(client);
  assert.is(session.closed, false);
  session.close();
});

test('ws on an https server (no h2 in ALPN): the upgrade goes over the same TLS connection', async () => {
  const https = createHttpsServer({ key: pki.key, cert: pki.cert });
  let tlsConnections = 0;
  https.on('secureConnection', () => tlsConnections++);
  const ws = new WsServer({ server: https });
  ws.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  const port = await listenWebServer(https);
  cleanups.push(async () => {
    for (const socket of ws.clients) socket.terminate();
    ws.close();
    await stopWebServer(https);
  });
  const client = await connect(`wss://localhost:${port}/`, { ca: pki.ca, http2: true });
  assert.is(client.transport, 'http/1.1');
  await roundTrip(client, 'to ws');
  assert.is(tlsConnections, 1, 'one TLS connection: ALPN said http/1.1 and the upgrade used it');
  client.close(1000);
  await closeOf(client);
});

test('ws:// with http2: true is the plain HTTP/1.1 upgrade (HTTP/2 is offered through TLS)', async () => {
  const echoServer = await startEcho();
  cleanups.push(() => echoServer.stop());
  const client = await connect(echoServer.url, { http2: true });
  assert.is(client.transport, 'http/1.1');
  await roundTrip(client, 'plain');
  client.close(1000);
  await closeOf(client);
});

test('http2 and proxy options are checked at the call', () => {
  assert.throws(() => connect('wss://localhost/', { http2: 'yes' as never }), /"http2" option must be a boolean or a ClientHttp2Session/);
  assert.throws(() => connect('wss://localhost/', { proxy: 'https://proxy:3128' }), /"proxy" option must be an http:\/\/ proxy URL or "env"/);
  assert.throws(() => connect('wss://localhost/', { proxy: new URL('socks5://proxy:1080') }), /"proxy" option must be an http:\/\/ proxy URL/);
  assert.throws(() => connect('wss://localhost/', { proxy: 'http://proxy:3128', agent: new Agent() }), /Give one of the "proxy" and "agent" options/);
});

test.run();
