/**
 * The client through a real HTTP CONNECT proxy, Debian's tinyproxy (test/helpers/tinyproxy.ts):
 * ws:// and wss:// (TLS end to end with the target: the client checks the target's own
 * certificate), HTTP/2 inside the tunnel, Basic proxy authentication, refusals with the
 * proxy's status (407, 403, and tinyproxy's 500 for a target it cannot reach), the
 * environment variables when asked, and the CLI's --proxy.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, HandshakeError, type Connection } from '../../src/index.js';
import { wspipe, finished } from '../cli/cli-run.js';
import { startH2Site, type H2Site } from '../helpers/h2.js';
import { closeOf, startEcho, type EchoServer } from '../helpers/servers.js';
import { startTinyProxy, type TinyProxy } from '../helpers/tinyproxy.js';
import { nextEvent } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();
const USER = 'alice';
const PASSWORD = 's3cret-pw';

interface Setup {
  proxy: TinyProxy;
  plain: EchoServer;
  secure: EchoServer;
  h2: H2Site;
  /** A port CONNECT may reach where nothing listens. */
  deadPort: number;
}

let setup: Promise<Setup> | undefined;
/** Targets first (tinyproxy's ConnectPort lines name them), then the proxy; started inside a test. */
function world(): Promise<Setup> {
  setup ??= (async () => {
    const plain = await startEcho();
    const secure = await startEcho({ tls: { key: pki.key, cert: pki.cert } });
    const h2 = await startH2Site();
    const dead = await startEcho();
    const deadPort = dead.port;
    await dead.stop();
    const proxy = await startTinyProxy({ user: USER, password: PASSWORD, connectPorts: [plain.port, secure.port, h2.port, deadPort] });
    return { proxy, plain, secure, h2, deadPort };
  })();
  return setup;
}

const test = suite('through tinyproxy (HTTP CONNECT)');
test.after(async () => {
  if (!setup) return;
  const started = await setup.catch(() => null);
  if (!started) return;
  const { proxy, plain, secure, h2 } = started;
  await proxy.stop();
  await Promise.all([plain.stop(), secure.stop(), h2.stop()]);
});

async function echoes(client: Connection, text: string): Promise<void> {
  const reply = nextEvent<[{ data: string }]>(client, 'message', 5000, 'the echo');
  client.send(text);
  assert.is((await reply)[0].data, text);
  client.close(1000);
  await closeOf(client);
}

/** The CONNECT requests tinyproxy logged for `host`:`port` (it logs each request line). */
function tunnelsTo(proxy: TinyProxy, port: number, host = '127.0.0.1'): number {
  return proxy.log().split('\n').filter((line) => line.includes(`CONNECT ${host}:${port} `)).length;
}

function refusal(error: unknown): { statusCode: number; code: string } {
  assert.instance(error, HandshakeError);
  return { statusCode: (error as HandshakeError).statusCode, code: (error as HandshakeError).code };
}

test('ws:// through the proxy, with its credentials as Proxy-Authorization', async () => {
  const { proxy, plain } = await world();
  const before = tunnelsTo(proxy, plain.port);
  const client = await connect(plain.url, { proxy: proxy.url });
  assert.is(tunnelsTo(proxy, plain.port), before + 1, 'tinyproxy opened the tunnel');
  await echoes(client, 'via the proxy');
});

test('wss:// through the proxy is TLS with the target itself: its certificate is checked against our CA', async () => {
  const { proxy, secure } = await world();
  const url = secure.url.replace('127.0.0.1', 'localhost');
  const before = tunnelsTo(proxy, secure.port, 'localhost');
  const client = await connect(url, { proxy: proxy.url, ca: pki.ca });
  assert.is(tunnelsTo(proxy, secure.port, 'localhost'), before + 1, 'tinyproxy opened the tunnel');
  await echoes(client, 'end to end');
  const untrusted = await connect(url, { proxy: proxy.url, ca: pki.otherCa }).then(() => null, (error: NodeJS.ErrnoException) => error);
  assert.is(untrusted?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'the client saw the target\'s certificate, not one of the proxy\'s');
});

test('http2: true inside the tunnel: the WebSocket is an HTTP/2 stream end to end', async () => {
  const { proxy, h2 } = await world();
  const client = await connect(h2.url, { proxy: proxy.url, ca: pki.ca, http2: true });
  assert.is(client.transport, 'h2');
  assert.is(h2.connections.at(-1)?.transport, 'h2');
  await echoes(client, 'h2 via the proxy');
});

test('refusals carry the proxy\'s status: 407 (no credentials), 401 (wrong ones: tinyproxy 1.11 answers so), 403 (port not allowed), 500 (unreachable target)', async () => {
  const { proxy, plain, deadPort } = await world();
  const attempt = (url: string, proxyUrl: string): Promise<unknown> => connect(url, { proxy: proxyUrl }).then(() => null, (error: unknown) => error);
  const wrong = proxy.url.replace(encodeURIComponent('s3cret'), 'nope');
  const [anonymous, badPassword, forbiddenPort, unreachable] = await Promise.all([
    attempt(plain.url, proxy.bareUrl),
    attempt(plain.url, wrong),
    attempt('ws://127.0.0.1:9/', proxy.url),
    attempt(`ws://127.0.0.1:${deadPort}/`, proxy.url),
  ]);
  assert.equal(refusal(anonymous), { statusCode: 407, code: 'WS_ERR_PROXY_REFUSED' });
  assert.equal(refusal(badPassword), { statusCode: 401, code: 'WS_ERR_PROXY_REFUSED' });
  assert.equal(refusal(forbiddenPort), { statusCode: 403, code: 'WS_ERR_PROXY_REFUSED' });
  assert.equal(refusal(unreachable), { statusCode: 500, code: 'WS_ERR_PROXY_REFUSED' });
  assert.match((anonymous as Error).message, new RegExp(`The proxy 127\\.0\\.0\\.1:${proxy.port} refused to connect to 127\\.0\\.0\\.1:${plain.port}: 407 Proxy Authentication Required`));
  assert.match((anonymous as HandshakeError).body, /Proxy Authentication Required/i, "the start of tinyproxy's explanation");
});

test("proxy: 'env' reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY; without it the environment is not read", async () => {
  const { proxy, plain, secure } = await world();
  const saved = { ...process.env };
  try {
    process.env['HTTP_PROXY'] = proxy.url;
    process.env['HTTPS_PROXY'] = proxy.url;
    delete process.env['http_proxy'];
    delete process.env['https_proxy'];
    delete process.env['no_proxy'];
    delete process.env['NO_PROXY'];
    const plainBefore = tunnelsTo(proxy, plain.port);
    await echoes(await connect(plain.url, { proxy: 'env' }), 'HTTP_PROXY');
    assert.is(tunnelsTo(proxy, plain.port), plainBefore + 1);

    const secureUrl = secure.url.replace('127.0.0.1', 'localhost');
    const secureBefore = tunnelsTo(proxy, secure.port, 'localhost');
    await echoes(await connect(secureUrl, { proxy: 'env', ca: pki.ca }), 'HTTPS_PROXY');
    assert.is(tunnelsTo(proxy, secure.port, 'localhost'), secureBefore + 1);

    process.env['NO_PROXY'] = 'example.com, localhost';
    await echoes(await connect(secureUrl, { proxy: 'env', ca: pki.ca }), 'NO_PROXY');
    assert.is(tunnelsTo(proxy, secure.port, 'localhost'), secureBefore + 1, 'NO_PROXY: connected directly');

    // Not asked: a proxy in the environment that does not exist changes nothing.
    process.env['HTTP_PROXY'] = 'http://127.0.0.1:9';
    await echoes(await connect(plain.url), 'direct');
  } finally {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
});

test('wspipe connect --proxy URL goes through the proxy; a refusal prints its status and exits 1', async () => {
  const { proxy, plain } = await world();
  const before = tunnelsTo(proxy, plain.port);
  const cli = wspipe(['connect', plain.url, '--proxy', proxy.url], { stdin: 'pipe' });
  cli.child.stdin!.end('hello proxy\n');
  const run = await finished(cli);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, 'hello proxy');
  assert.is(tunnelsTo(proxy, plain.port), before + 1);
  const refused = await finished(wspipe(['connect', plain.url, '--proxy', proxy.bareUrl]));
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /^wspipe connect: proxy refused \(HTTP 407\): The proxy 127\.0\.0\.1:\d+ refused to connect to 127\.0\.0\.1:\d+: 407 Proxy Authentication Required\n$/);
  const usage = await finished(wspipe(['connect', plain.url, '--proxy', 'https://proxy:1']));
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /--proxy must be an http:\/\/ proxy URL or 'env'/);
});

test.run();
