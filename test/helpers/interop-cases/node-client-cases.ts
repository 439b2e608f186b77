/**
 * Interop cases: our echo server with Node's own WebSocket client (undici's, behind
 * `--experimental-websocket` on Node 20), run in a child process. The child generates
 * deterministic payloads, sends them, and reports the SHA-256 of what came back as JSON
 * lines on stdout; the test computes the digests it expects from the same generator, and
 * checks what the server received too. Defined on a suite for a target (ws://, or wss://
 * with the test CA in NODE_EXTRA_CA_CERTS), so test/interop/node-client.test.ts and its
 * TLS twin run the same cases.
 */
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../../src/connection/connection.js';
import { runChild } from '../child-process.js';
import { INTEROP_SIZES, PAYLOAD_GENERATORS_JS, patternBytes, patternText, sha256Hex, sizeLabel } from '../payloads.js';
import { closeOf, nextConnection, echoServers, type CloseInfo, type EchoServer } from '../servers.js';
import type { InteropTarget } from './targets.js';

/** The child's program (CommonJS, run with `node --experimental-websocket -e`). */
const CHILD_SCRIPT = `
'use strict';
const { createHash } = require('node:crypto');
${PAYLOAD_GENERATORS_JS}
const out = (record) => process.stdout.write(JSON.stringify(record) + '\\n');
if (typeof WebSocket !== 'function') { out({ event: 'no-websocket' }); process.exit(2); }
const url = process.env.WS_URL;
const scenario = process.env.WS_SCENARIO;
const protocols = JSON.parse(process.env.WS_PROTOCOLS || '[]');
const sizes = JSON.parse(process.env.WS_SIZES || '[]');
const hex = (data) => createHash('sha256').update(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)).digest('hex');
const guard = setTimeout(() => { out({ event: 'guard-timeout' }); process.exit(3); }, 50000);
const ws = new WebSocket(url, protocols);
ws.binaryType = 'arraybuffer';
const queue = [];
let wake = null;
ws.onmessage = (event) => { queue.push(event.data); if (wake) { const w = wake; wake = null; w(); } };
const next = async () => { while (queue.length === 0) await new Promise((resolve) => { wake = resolve; }); return queue.shift(); };
let opened = false;
// Node 20's client reports a failed opening handshake (a refused certificate, say) with
// 'error' and no 'close': exit at once rather than at the guard.
ws.onerror = (event) => {
  out({ event: 'error', message: String((event && event.message) || 'error') });
  if (!opened) process.exit(4);
};
ws.onclose = (event) => {
  out({ event: 'close', code: event.code, reason: event.reason, wasClean: event.wasClean });
  clearTimeout(guard);
  setImmediate(() => process.exit(0));
};
ws.onopen = async () => {
  opened = true;
  out({ event: 'open', protocol: ws.protocol, extensions: ws.extensions });
  try {
    if (scenario === 'echo') {
      for (const kind of ['text', 'binary']) {
        for (const size of sizes) {
          const data = kind === 'text' ? patternText(size, size) : patternBytes(size, size);
          ws.send(data);
          const reply = await next();
          const type = typeof reply === 'string' ? 'text' : 'binary';
          const length = type === 'text' ? Buffer.byteLength(reply) : reply.byteLength;
          out({ event: 'echo', kind, size, type, length, digest: hex(reply) });
        }
      }
      ws.close(1000, 'done');
    } else if (scenario === 'close') {
      ws.close(Number(process.env.WS_CLOSE_CODE), process.env.WS_CLOSE_REASON);
    } else if (scenario === 'wait') {
      // The server acts; the child reports what it sees.
    } else {
      out({ event: 'unknown-scenario', scenario });
      ws.close();
    }
  } catch (error) {
    out({ event: 'exception', message: String((error && error.stack) || error) });
    ws.close();
  }
};
`;

export interface ChildRecord {
  event: string;
  [key: string]: unknown;
}

/** Runs the child against `server` (trusting the target's CA; `env` may override WS_URL) and returns its JSON records once it exits (bounded). */
export async function runNodeClient(
  target: InteropTarget,
  server: EchoServer,
  scenario: string,
  env: Record<string, string> = {},
  ms = 60_000,
): Promise<ChildRecord[]> {
  const child = runChild(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', CHILD_SCRIPT], {
    env: { ...process.env, ...target.childEnv, WS_URL: server.url, WS_SCENARIO: scenario, ...env },
  });
  try {
    const exit = await child.exited(ms);
    const records = child.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as ChildRecord);
    assert.is(exit.code, 0, `the Node client exited with ${JSON.stringify(exit)}; stdout: ${child.lines.join('\n')}; stderr: ${child.stderr()}`);
    for (const record of records) {
      if (['exception', 'guard-timeout', 'no-websocket', 'unknown-scenario'].includes(record.event)) {
        assert.unreachable(`the Node client reported ${JSON.stringify(record)}`);
      }
    }
    return records;
  } finally {
    child.kill();
  }
}

export function recordOf(records: ChildRecord[], event: string): ChildRecord {
  const found = records.find((record) => record.event === event);
  if (!found) assert.unreachable(`no '${event}' record from the Node client: ${JSON.stringify(records)}`);
  return found!;
}

export function nodeClientCases(test: Test, target: InteropTarget): void {
  const servers = echoServers(target.startEcho);
  const echoServer = servers.shared;
  const startExtra = servers.extra;
  test.after(servers.stopAll);

  test("Node's WebSocket: text and binary of 0 B .. 16 MiB echo intact (digests on both sides)", async () => {
    const server = await echoServer();
    const seenByServer: Array<{ type: string; length: number; digest: string }> = [];
    const onConnection = (connection: Connection): void => {
      connection.on('message', (message) => {
        const bytes = message.type === 'text' ? Buffer.from(message.data, 'utf8') : message.data;
        seenByServer.push({ type: message.type, length: bytes.length, digest: sha256Hex(bytes) });
      });
    };
    server.server.on('connection', onConnection);
    try {
      const records = await runNodeClient(target, server, 'echo', { WS_SIZES: JSON.stringify(INTEROP_SIZES) });
      const echoes = records.filter((record) => record.event === 'echo');
      assert.is(echoes.length, INTEROP_SIZES.length * 2, `echo records: ${JSON.stringify(records)}`);
      let index = 0;
      for (const kind of ['text', 'binary'] as const) {
        for (const size of INTEROP_SIZES) {
          const expected = sha256Hex(kind === 'text' ? patternText(size, size) : patternBytes(size, size));
          const label = `${kind} ${sizeLabel(size)}`;
          const seen = seenByServer[index];
          assert.equal(seen, { type: kind, length: size, digest: expected }, `${label}: what the server received`);
          const echo = echoes[index]!;
          assert.equal(
            { kind: echo.kind, size: echo.size, type: echo.type, length: echo.length, digest: echo.digest },
            { kind, size, type: kind, length: size, digest: expected },
            `${label}: what the Node client got back`,
          );
          index++;
        }
      }
      const close = recordOf(records, 'close');
      assert.equal([close.code, close.wasClean], [1000, true]);
    } finally {
      server.server.off('connection', onConnection);
    }
  });

  test("Node's WebSocket: a server with permessage-deflate on echoes intact (compressed if the client offers it)", async () => {
    const server = await startExtra({ perMessageDeflate: true });
    const accepted = nextConnection(server.server);
    const sizes = [0, 125, 65_536, 1 << 20];
    const records = await runNodeClient(target, server, 'echo', { WS_SIZES: JSON.stringify(sizes) });
    const extensions = String(recordOf(records, 'open').extensions);
    // The server agrees to exactly what the client offered: the two sides must tell the same story.
    assert.is((await accepted).extensions, extensions);
    const echoes = records.filter((record) => record.event === 'echo');
    assert.is(echoes.length, sizes.length * 2);
    let index = 0;
    for (const kind of ['text', 'binary'] as const) {
      for (const size of sizes) {
        const expected = sha256Hex(kind === 'text' ? patternText(size, size) : patternBytes(size, size));
        assert.is(echoes[index]!.digest, expected, `${kind} ${sizeLabel(size)} with extensions "${extensions}"`);
        index++;
      }
    }
  });

  test("Node's WebSocket: subprotocol selected by handleProtocols", async () => {
    const server = await startExtra({ handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false) });
    const accepted = nextConnection(server.server);
    const records = await runNodeClient(target, server, 'close', {
      WS_PROTOCOLS: JSON.stringify(['chat.v1', 'chat.v2']),
      WS_CLOSE_CODE: '1000',
      WS_CLOSE_REASON: '',
    });
    assert.is(recordOf(records, 'open').protocol, 'chat.v2');
    assert.is((await accepted).protocol, 'chat.v2');
  });

  test("Node's WebSocket: subprotocol from a server list, in the client's order of preference", async () => {
    const server = await startExtra({ handleProtocols: ['a.proto', 'b.proto'] });
    const records = await runNodeClient(target, server, 'close', {
      WS_PROTOCOLS: JSON.stringify(['b.proto', 'a.proto']),
      WS_CLOSE_CODE: '1000',
      WS_CLOSE_REASON: '',
    });
    assert.is(recordOf(records, 'open').protocol, 'b.proto');
  });

  test("Node's WebSocket closes with 4001/'bye' → the server reports it, clean; the client gets 4001 back", async () => {
    const server = await echoServer();
    const accepted = nextConnection(server.server);
    let serverClose: Promise<CloseInfo> | undefined;
    void accepted.then((connection) => {
      serverClose = closeOf(connection);
    }, () => {});
    const records = await runNodeClient(target, server, 'close', { WS_CLOSE_CODE: '4001', WS_CLOSE_REASON: 'bye' });
    await accepted;
    assert.ok(serverClose, 'the server saw the connection');
    assert.equal(await serverClose, { code: 4001, reason: 'bye', wasClean: true });
    const close = recordOf(records, 'close');
    assert.is(close.code, 4001);
    assert.is(close.wasClean, true);
  });

  test("the server closes with 4002/'srv' (after a ping the client answers) → Node's WebSocket reports 4002/'srv', clean", async () => {
    const server = await echoServer();
    const pongs: Buffer[] = [];
    let serverClose: Promise<CloseInfo> | undefined;
    const onConnection = (connection: Connection): void => {
      serverClose = closeOf(connection);
      connection.once('pong', (data) => {
        pongs.push(data);
        connection.close(4002, 'srv');
      });
      connection.ping('node, are you there?');
    };
    server.server.once('connection', onConnection);
    try {
      const records = await runNodeClient(target, server, 'wait');
      assert.equal(pongs.map(String), ['node, are you there?'], 'the ping was answered with the same payload');
      const close = recordOf(records, 'close');
      assert.equal({ code: close.code, reason: close.reason, wasClean: close.wasClean }, { code: 4002, reason: 'srv', wasClean: true });
      assert.ok(serverClose);
      const closed = await serverClose!;
      assert.is(closed.code, 4002);
      assert.is(closed.wasClean, true);
    } finally {
      server.server.off('connection', onConnection);
    }
  });
}
