/**
 * Credentials in the URL (ws://user:pass@host/) are sent as `Authorization: Basic` of the
 * percent-decoded user and password, by every wspipe client entry point (the WebSocket
 * class, connect(), connect$), never in the request target; an explicit Authorization
 * header wins. Checked against servers that verify the header: wspipe's (verifyClient)
 * and `ws`'s. Node's own client is run against the same server to record what it does.
 */
import type { IncomingMessage } from 'node:http';
import { firstValueFrom, take } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type VerifyClientInfo } from '../../src/index.js';
import { connect$ } from '../../src/rx/index.js';
import { guardLeaks, startServer } from '../rx/helpers.js';
import { eventsOf, runNode, runOurs, sequence } from './probe.js';
import { startRawServer } from './raw-server.js';
import { startWsServer } from './ws-server.js';

guardLeaks(test);

/** user "us@er", password "p:ss", as a URL has to write them. */
const USERINFO = 'us%40er:p%3Ass';
/** Computed independently of the code under test: what Chromium sends for that userinfo after a 401 challenge. */
const EXPECTED = 'Basic dXNAZXI6cDpzcw==';

const CLOSE_ON_OPEN = { onOpen: 'ws.close(1000)', deadlineMs: 2000 };

function withUserinfo(url: string, path = 'room?x=1'): string {
  return url.replace('ws://', `ws://${USERINFO}@`) + path;
}

test("wspipe's server checks the header: the WebSocket class, connect() and connect$ get in; Node's client sends none", async () => {
  const seen: Array<{ authorization: string | undefined; url: string | undefined }> = [];
  const verifyClient = ({ request }: VerifyClientInfo) => {
    seen.push({ authorization: request.headers.authorization, url: request.url });
    return request.headers.authorization === EXPECTED;
  };
  const ts = await startServer((connection) => connection.on('message', (m) => connection.send(m.data)), { verifyClient });
  const url = withUserinfo(ts.url);
  try {
    const ours = await runOurs(url, CLOSE_ON_OPEN);
    assert.equal(sequence(ours), ['open', 'close'], JSON.stringify(ours));

    const connection = await connect(url);
    connection.close();
    await new Promise((resolve) => connection.once('close', resolve));

    const subject = connect$(url);
    subject.next('via connect$');
    const echoed = await firstValueFrom(subject.pipe(take(1)));
    assert.is(echoed.data, 'via connect$');

    const node = await runNode(url, CLOSE_ON_OPEN);
    // Node's client (undici 6) sends no credentials, so this server refuses it (401).
    assert.not.ok(sequence(node).includes('open'), JSON.stringify(node));

    const ourRequest = { authorization: EXPECTED, url: '/room?x=1' };
    assert.equal(seen, [ourRequest, ourRequest, ourRequest, { authorization: undefined, url: '/room?x=1' }]);
  } finally {
    await ts.close();
  }
});

test('a ws server checks the header too; an explicit Authorization header replaces the URL credentials', async () => {
  const server = await startWsServer({
    verifyClient: ({ req }: { req: IncomingMessage }) => req.headers.authorization === EXPECTED || req.headers.authorization === 'Bearer token',
  });
  try {
    const ours = await runOurs(withUserinfo(server.url), { onOpen: "ws.send('hi')", onMessage: 'ws.close()' });
    assert.equal(sequence(ours), ['open', 'message', 'close'], JSON.stringify(ours));
    const explicit = await runOurs(withUserinfo(server.url), CLOSE_ON_OPEN, { headers: { authorization: 'Bearer token' } });
    assert.equal(sequence(explicit), ['open', 'close'], JSON.stringify(explicit));
    assert.equal(
      server.requests.map((headers) => headers.authorization),
      [EXPECTED, 'Bearer token'],
    );
    // A wrong password is refused: the header really is what the server decides on.
    const wrong = await runOurs(server.url.replace('ws://', 'ws://us%40er:nope@'), CLOSE_ON_OPEN);
    assert.equal(sequence(wrong), ['error', 'close']);
    assert.is(eventsOf(wrong, 'close')[0]!.code, 1006);
  } finally {
    await server.stop();
  }
});

test('the request line carries the path and query only, never the credentials', async () => {
  const server = await startRawServer(async (peer) => {
    await peer.readClose();
  });
  try {
    await runOurs(withUserinfo(server.url, 'a/b?c=d'), CLOSE_ON_OPEN);
    const connection = await connect(withUserinfo(server.url, 'e'));
    connection.close();
    await new Promise((resolve) => connection.once('close', resolve));
    assert.equal(
      server.requests.map((request) => [request.line, request.headers.authorization, request.headers.host]),
      [
        ['GET /a/b?c=d HTTP/1.1', EXPECTED, `127.0.0.1:${server.port}`],
        ['GET /e HTTP/1.1', EXPECTED, `127.0.0.1:${server.port}`],
      ],
    );
  } finally {
    await server.stop();
  }
});

test.run();
