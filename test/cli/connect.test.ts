/**
 * `wspipe connect` against real servers (wspipe's, in this process; a raw TCP one for
 * non-HTTP and silent peers): what reaches stdout and stderr, piped and on a terminal
 * (script(1) gives the child a pty), the options, and the exit status.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../src/connection/connection.js';
import { createServer, type WebSocketServer } from '../../src/server/server.js';
import type { ServerOptions, UpgradeRequestView } from '../../src/server/options.js';
import { runChild } from '../helpers/child-process.js';
import { closeOf, nextConnection, stopServer } from '../helpers/servers.js';
import { nextEvent } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';
import { finished, FROM_SOURCES, REPO_ROOT, wspipe } from './cli-run.js';

/** Control characters that must never reach a terminal raw (tab and newline are ours). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const cleanups: Array<() => Promise<void>> = [];
test.after.each(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
});

/** A wspipe server on 127.0.0.1 and a free port, stopped after the test. */
async function serve(options: ServerOptions, onConnection: (connection: Connection, request: UpgradeRequestView) => void): Promise<{ server: WebSocketServer; port: number }> {
  const server = createServer({ ...options, host: '127.0.0.1', port: 0 }, onConnection);
  cleanups.push(() => stopServer(server));
  await nextEvent(server, 'listening', 5000, 'the test server to listen');
  return { server, port: (server.address() as AddressInfo).port };
}

/** A raw TCP server (for peers that do not speak WebSocket), stopped after the test. */
async function serveTcp(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const echoBack = (prefix = '') => (connection: Connection): void => {
  connection.on('message', (message) => {
    if (message.type === 'text') connection.send(prefix + message.data);
  });
};

test('piped: received messages print plain, one per line; the end of stdin closes with 1000; exit 0', async () => {
  const { server, port } = await serve({}, echoBack());
  const accepted = nextConnection(server);
  const cli = wspipe(['connect', `ws://127.0.0.1:${port}/`], { stdin: 'pipe' });
  cli.child.stdin!.end('one\ntwo ✓\n');
  const [run, close] = await Promise.all([finished(cli), accepted.then((connection) => closeOf(connection, 20_000))]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, 'one\ntwo ✓');
  assert.is(close.code, 1000);
  assert.ok(close.wasClean);
  assert.match(run.stderr, new RegExp(`^connected to ws://127\\.0\\.0\\.1:${port}/ \\(protocol: none, extensions: none\\)\\nclosed: 1000 \\(normal closure\\)\\n$`));
});

test('control characters from the server are printed as escapes, in messages and in the close reason', async () => {
  const { port } = await serve({}, (connection) => {
    connection.send('a\x1b[31mred\x1b[0m');
    connection.send('bell\x07 del\x7f nel\u0085 csi\u009b tab\tend');
    connection.send('two\r\nlines');
    connection.send('plain ✓ {"json":"a\\nb"}');
    connection.send(Buffer.from(Array.from({ length: 40 }, (_, i) => i)));
    connection.close(4001, 'bye\x1b]0;owned\x07');
  });
  const cli = wspipe(['connect', `ws://127.0.0.1:${port}/`], { stdin: 'pipe' });
  const run = await finished(cli);
  assert.is(run.code, 1, 'a close with 4001 is not a normal end');
  assert.equal(run.stdout.split('\n'), [
    'a\\x1b[31mred\\x1b[0m',
    'bell\\x07 del\\x7f nel\\u0085 csi\\u009b tab\tend',
    'two\\x0d\\x0alines',
    'plain ✓ {"json":"a\\nb"}',
    '<binary 40 bytes: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f…>',
  ]);
  assert.not.match(run.stdout, RAW_CONTROL);
  assert.not.match(run.stderr, RAW_CONTROL);
  assert.match(run.stderr, /closed by the server: 4001 \(application code\), reason "bye\\x1b\]0;owned\\x07"\n$/);
});

/** Runs `shellCommand` in script(1): its stdin and stdout are a terminal. Output with \r removed. */
function inTerminal(shellCommand: string) {
  return runChild('script', ['-qefc', shellCommand, '/dev/null'], { cwd: REPO_ROOT, stdin: 'pipe' });
}
const CLI = [process.execPath, ...FROM_SOURCES].map((word) => `'${word}'`).join(' ');
/** Our own cursor movements (readline's prompt), removed to read the text. */
// eslint-disable-next-line no-control-regex
const CSI = /\x1b\[[0-9;]*[A-Za-z]/g;

test('a terminal: received messages marked "< ", lines typed at a "> " prompt; escapes still apply', async () => {
  const { port } = await serve({}, echoBack('got: \x1b]0;owned\x07'));
  const cli = inTerminal(`${CLI} connect ws://127.0.0.1:${port}/`);
  try {
    await cli.waitForLine(/connected to ws:/, 20_000);
    cli.child.stdin!.write('hi there\r');
    await cli.waitForLine(/< got: \\x1b\]0;owned\\x07hi there/, 10_000);
    cli.child.stdin!.write('\x04'); // Ctrl-D: end of input
    const exit = await cli.exited(10_000);
    const text = cli.lines.join('\n').replace(/\r/g, '');
    assert.is(exit.code, 0, text);
    assert.match(text.replace(CSI, ''), /> hi there/);
    assert.not.ok(text.includes('\x1b]0;owned'), 'the OSC sequence from the server reached the terminal raw');
    assert.match(text, /closed: 1000 \(normal closure\)/);
  } finally {
    cli.kill();
  }
});

test('stdout a terminal, stdin a pipe: sent lines are shown marked "> ", received ones "< "', async () => {
  const { port } = await serve({}, echoBack('got: '));
  const cli = inTerminal(`printf 'one\\ntwo\\n' | ${CLI} connect ws://127.0.0.1:${port}/`);
  const exit = await cli.exited(20_000);
  const lines = cli.lines.map((line) => line.replace(/\r/g, ''));
  assert.is(exit.code, 0, lines.join('\n'));
  const shown = lines.filter((line) => /^[<>] /.test(line));
  assert.equal(shown.filter((line) => line.startsWith('>')), ['> one', '> two']);
  assert.equal(shown.filter((line) => line.startsWith('<')), ['< got: one', '< got: two']);
});

test('a refused handshake: the HTTP status and the error on stderr, exit 1', async () => {
  const { port } = await serve({ verifyClient: () => ({ status: 403, reason: 'no token' }) }, () => {});
  const run = await finished(wspipe(['connect', `ws://127.0.0.1:${port}/`]));
  assert.is(run.code, 1, run.stderr);
  assert.is(run.stdout, '');
  assert.match(run.stderr, /^wspipe connect: handshake failed \(HTTP 403\): .*403.*\n$/);
});

test('a port that does not speak HTTP: a handshake error in one line, exit 1', async () => {
  const port = await serveTcp((socket) => socket.end('SSH-2.0-OpenSSH_9.2p1 Debian\r\n'));
  const run = await finished(wspipe(['connect', `ws://127.0.0.1:${port}/`]));
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stderr, /^wspipe connect: handshake failed[^\n]*\n$/);
});

test('nothing listening: "cannot connect" with the reason, exit 1', async () => {
  const port = await serveTcp(() => {});
  await cleanups.pop()!(); // close it again: the port is now (almost certainly) free
  const run = await finished(wspipe(['connect', `ws://127.0.0.1:${port}/`]));
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^wspipe connect: cannot connect to ws://127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED.*\\n$`));
});

test('--handshake-timeout: a server that never answers fails after MS, exit 1', async () => {
  const port = await serveTcp(() => {});
  const run = await finished(wspipe(['connect', `ws://127.0.0.1:${port}/`, '--handshake-timeout', '300']));
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stderr, /^wspipe connect: handshake failed: .*timed out after 300 ms\n$/);
});

test('--protocol (repeated) offers all, --header adds request headers, --deflate negotiates compression', async () => {
  let seen: UpgradeRequestView['headers'] = {};
  const { port } = await serve(
    {
      handleProtocols: ['b'],
      perMessageDeflate: true,
      verifyClient: ({ request }) => {
        seen = request.headers;
        return true;
      },
    },
    echoBack(),
  );
  const cli = wspipe(
    ['connect', `ws://127.0.0.1:${port}/`, '--protocol', 'a', '--protocol', 'b', '--header', 'X-Token: secret', '--header', 'X-Multi: 1', '--header=X-Multi:2', '--deflate'],
    { stdin: 'pipe' },
  );
  cli.child.stdin!.end('compressed?\n');
  const run = await finished(cli);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, 'compressed?');
  assert.match(run.stderr, /\(protocol: b, extensions: permessage-deflate[^)]*\)/);
  assert.is(seen['sec-websocket-protocol'], 'a, b');
  assert.is(seen['x-token'], 'secret');
  assert.is(seen['x-multi'], '1, 2');
});

test('wss: --ca trusts a CA; without it a certificate error with a hint; --insecure connects with a warning', async () => {
  const pki = testPki();
  const { port } = await serve({ tls: { cert: pki.cert, key: pki.key } }, echoBack());
  const url = `wss://127.0.0.1:${port}/`;
  const attempt = async (flags: string[]) => {
    const cli = wspipe(['connect', url, ...flags], { stdin: 'pipe' });
    cli.child.stdin!.end('secret\n');
    return finished(cli);
  };
  const [trusted, untrusted, otherCa, insecure] = await Promise.all([
    attempt(['--ca', pki.caFile]),
    attempt([]),
    attempt(['--ca', pki.otherCaFile]),
    attempt(['--insecure']),
  ]);
  assert.is(trusted.code, 0, trusted.stderr);
  assert.is(trusted.stdout, 'secret');
  assert.not.match(trusted.stderr, /warning/);
  for (const refused of [untrusted, otherCa]) {
    assert.is(refused.code, 1, refused.stderr);
    assert.is(refused.stdout, '');
    assert.match(refused.stderr, /^wspipe connect: cannot connect to wss:.*\(trust its CA with --ca FILE, or skip the check with --insecure\)\n$/);
  }
  assert.is(insecure.code, 0, insecure.stderr);
  assert.is(insecure.stdout, 'secret');
  assert.match(insecure.stderr, /^wspipe connect: warning: --insecure: the server's certificate is not verified/);
});

test('--max-payload: a bigger message fails the connection with 1009, exit 1', async () => {
  const { server, port } = await serve({}, (connection) => connection.send('x'.repeat(2000)));
  const accepted = nextConnection(server);
  const cli = wspipe(['connect', `ws://127.0.0.1:${port}/`, '--max-payload', '1024'], { stdin: 'pipe' });
  const [run, close] = await Promise.all([finished(cli), accepted.then((connection) => closeOf(connection, 20_000))]);
  assert.is(run.code, 1, run.stderr);
  assert.is(run.stdout, '');
  assert.match(run.stderr, /connection failed: 1009 \(message too big\)/);
  assert.is(close.code, 1009);
});

test('exit status: 0 when the server closes with 1000, 1 for 1011 or a dropped connection', async () => {
  const ends: Array<[string, (connection: Connection) => void, number, RegExp]> = [
    ['1000', (connection) => connection.close(1000, 'done'), 0, /closed by the server: 1000 \(normal closure\), reason "done"\n$/],
    ['1011', (connection) => connection.close(1011), 1, /closed by the server: 1011 \(internal server error\)\n$/],
    ['drop', (connection) => setTimeout(() => connection.terminate(), 50), 1, /connection dropped: 1006 \(connection dropped without a close frame\)\n$/],
  ];
  const runs = await Promise.all(
    ends.map(async ([name, end, code, line]) => {
      const { port } = await serve({}, end);
      return { name, code, line, run: await finished(wspipe(['connect', `ws://127.0.0.1:${port}/`], { stdin: 'pipe' })) };
    }),
  );
  for (const { name, code, line, run } of runs) {
    assert.is(run.code, code, `${name}: ${run.stderr}`);
    assert.match(run.stderr, line, name);
  }
});

test.run();

