/**
 * A verifyClient that misbehaves — throws, rejects, or answers a status that is not an
 * error status — refuses the client with a 500 that does not pass its message on, reports
 * its error on 'handshakeError', and leaves the server serving; over HTTP/1.1 (ws:// and
 * wss://) and over HTTP/2 streams alike.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, HandshakeError, type ServerOptions, type VerifyClient, type WebSocketServer } from '../../src/index.js';
import { startH2Site } from '../helpers/h2.js';
import { closeOf, startListening } from '../helpers/servers.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();
const test = suite('verifyClient faults');

const SECRET = 'database password in a stack trace';

/** Refuses by misbehaving according to the x-fault header; accepts without it. */
const faulty: VerifyClient = ({ request }) => {
  switch (request.headers['x-fault']) {
    case 'throw':
      throw new Error(SECRET);
    case 'reject':
      return Promise.reject(new Error(SECRET));
    case 'status-200':
      return { status: 200, reason: SECRET };
    case 'status-302':
      return { status: 302, reason: SECRET };
    default:
      return true;
  }
};

interface Target {
  url: string;
  server: WebSocketServer;
  options: { ca?: Buffer; http2?: boolean };
  stop(): Promise<void>;
}

const targets: Record<string, () => Promise<Target>> = {
  'ws://': async () => {
    const started = await startListening({ verifyClient: faulty }, () => {});
    return { url: started.url, server: started.server, options: {}, stop: started.stop };
  },
  'wss://': async () => {
    const options: ServerOptions = { verifyClient: faulty, tls: { key: pki.key, cert: pki.cert } };
    const started = await startListening(options, () => {});
    return { url: started.url, server: started.server, options: { ca: pki.ca }, stop: started.stop };
  },
  'h2': async () => {
    const site = await startH2Site({ wss: { verifyClient: faulty } });
    return { url: site.url, server: site.wss, options: { ca: pki.ca, http2: true }, stop: site.stop };
  },
};

for (const [name, start] of Object.entries(targets)) {
  test(`${name}: a verifyClient that throws, rejects or answers 200 or 302 gives a 500 without its message; the server keeps serving`, async () => {
    const target = await start();
    const reported: Error[] = [];
    target.server.on('handshakeError', (error) => reported.push(error));
    try {
      for (const fault of ['throw', 'reject', 'status-200', 'status-302']) {
        const error = await connect(target.url, { ...target.options, headers: { 'x-fault': fault } }).then(
          (connection) => {
            connection.terminate();
            return null;
          },
          (caught: unknown) => caught,
        );
        assert.instance(error, HandshakeError, fault);
        assert.is((error as HandshakeError).statusCode, 500, fault);
        assert.not.match((error as HandshakeError).message, SECRET, fault);
        assert.not.match(String((error as HandshakeError).body), SECRET, fault);
      }
      // What the application threw or rejected with is what it is told about.
      assert.is(reported.length, 4);
      assert.is(reported[0]!.message, SECRET);
      assert.is(reported[1]!.message, SECRET);
      const client = await connect(target.url, target.options);
      if (name === 'h2') assert.is(client.transport, 'h2');
      client.close(1000);
      await closeOf(client);
    } finally {
      await target.stop();
    }
  });
}

test.run();
