/**
 * Interop cases: our client (`connect`) with a server we did not write, the `ws`
 * package's WebSocketServer (attached to a node:http or node:https server): message sizes
 * up to 16 MiB, fragmented messages sent by the ws server, pings both ways, subprotocol
 * selection (and refusal of one not offered), the close handshake from both sides, and
 * the server terminating the connection. Defined on a suite for a target (ws:// or
 * wss://), so test/interop/ws-server.test.ts and its TLS twin run the same cases.
 */
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type WebSocket from 'ws';
import type { ServerOptions } from 'ws';
import { connect, type ConnectOptions } from '../../../src/client/connect.js';
import type { Connection } from '../../../src/connection/connection.js';
import type { DataMessage } from '../../../src/transforms/records.js';
import { INTEROP_SIZES, patternBytes, patternText, payloadMismatch, sizeLabel } from '../payloads.js';
import { closeOf } from '../servers.js';
import { eventually, nextEvent, withTimeout } from '../timeouts.js';
import type { InteropTarget } from './targets.js';
import { startWsPeer, type WsPeer } from './ws-peer-server.js';

export function wsServerCases(test: Test, target: InteropTarget): void {
  const startWsServer = (options: ServerOptions = {}, onConnection?: (ws: WebSocket) => void): Promise<WsPeer> =>
    startWsPeer(target.createWebServer(), options, onConnection);

  /** Runs `body` with a ws server and one of our clients connected to it; closes both. */
  async function withPair(
    body: (connection: Connection, server: WebSocket, peer: WsPeer) => Promise<void>,
    serverOptions: ServerOptions = {},
    onConnection?: (ws: WebSocket) => void,
    clientOptions: ConnectOptions = {},
  ): Promise<void> {
    const peer = await startWsServer(serverOptions, onConnection);
    let connection: Connection | undefined;
    try {
      connection = await withTimeout(connect(peer.url, { handshakeTimeout: 5000, ...target.trust, ...clientOptions }), 6000, 'connect() to the ws server');
      connection.on('error', () => {});
      await body(connection, await peer.nextClient(), peer);
    } finally {
      connection?.terminate();
      await peer.stop();
    }
  }

  function nextMessage(connection: Connection, ms = 10_000): Promise<DataMessage> {
    return nextEvent<[DataMessage]>(connection, 'message', ms, 'a message on our client').then(([message]) => message);
  }

  test('text messages of 0 B .. 16 MiB round-trip through the ws server intact', async () => {
    await withPair(async (connection) => {
      for (const size of INTEROP_SIZES) {
        const text = patternText(size, size);
        const reply = nextMessage(connection);
        connection.send(text);
        const message = await reply;
        assert.is(message.type, 'text', `${sizeLabel(size)}: echoed as text`);
        assert.is(payloadMismatch(message.data, text), null, `${sizeLabel(size)} text`);
      }
    });
  });

  test('binary messages of 0 B .. 16 MiB round-trip through the ws server intact', async () => {
    await withPair(async (connection) => {
      for (const size of INTEROP_SIZES) {
        const bytes = patternBytes(size, size);
        const reply = nextMessage(connection);
        connection.send(bytes);
        const message = await reply;
        assert.is(message.type, 'binary', `${sizeLabel(size)}: echoed as binary`);
        assert.is(payloadMismatch(message.data, bytes), null, `${sizeLabel(size)} binary`);
      }
    });
  });

  test('the ws server receives exactly what we sent, with the right type (and multi-byte UTF-8)', async () => {
    await withPair(async (connection, server) => {
      const text = 'κόσμε – 中文 – 😀 '.repeat(3000);
      const received = nextEvent<[Buffer, boolean]>(server, 'message', 5000, 'the message at the ws server');
      connection.send(text);
      const [data, isBinary] = await received;
      assert.is(isBinary, false);
      assert.is(payloadMismatch(data.toString('utf8'), text), null);
      const receivedBinary = nextEvent<[Buffer, boolean]>(server, 'message', 5000, 'the message at the ws server');
      connection.send(Buffer.from('binary, really'));
      const [bytes, binary] = await receivedBinary;
      assert.is(binary, true);
      assert.is(bytes.toString(), 'binary, really');
    });
  });

  test('fragmented messages sent by the ws server (fin: false parts) arrive as one message each', async () => {
    const big = patternBytes(300 * 1024, 3);
    const sendFragments = (ws: WebSocket): void => {
      const e = Buffer.from('é');
      ws.send('Hello, caf', { fin: false });
      ws.send(e.subarray(0, 1), { fin: false, binary: false });
      ws.send(Buffer.concat([e.subarray(1), Buffer.from(' world')]), { fin: true, binary: false });
      for (let i = 0; i < 3; i++) {
        ws.send(big.subarray(i * 102400, (i + 1) * 102400), { fin: i === 2 });
        if (i === 0) ws.ping('between fragments');
      }
      ws.send('abc', { fin: false });
      ws.send('', { fin: true });
      ws.send('sentinel');
    };
    await withPair(
      async (connection) => {
        const messages: DataMessage[] = [];
        const pings: Buffer[] = [];
        connection.on('message', (message) => messages.push(message));
        connection.on('ping', (data) => pings.push(data));
        connection.send('go');
        await eventually(() => messages.length >= 4, 10_000, 'four messages');
        assert.is(messages.length, 4);
        assert.equal(messages[0], { type: 'text', data: 'Hello, café world' });
        assert.is(messages[1]!.type, 'binary');
        assert.is(payloadMismatch(messages[1]!.data, big), null);
        assert.equal(messages[2], { type: 'text', data: 'abc' });
        assert.equal(messages[3], { type: 'text', data: 'sentinel' });
        assert.equal(pings.map(String), ['between fragments'], 'the ping between fragments came through');
      },
      {},
      (ws) => ws.once('message', () => sendFragments(ws)),
    );
  });

  test('permessage-deflate negotiated with the ws server: text and binary up to 1 MiB round-trip intact', async () => {
    await withPair(
      async (connection) => {
        assert.match(connection.extensions, /permessage-deflate/, `extensions: ${connection.extensions}`);
        for (const size of [0, 1, 125, 126, 65536, 1 << 20]) {
          for (const kind of ['text', 'binary'] as const) {
            const data = kind === 'text' ? patternText(size, size) : patternBytes(size, size);
            const reply = nextMessage(connection);
            connection.send(data);
            const message = await reply;
            assert.is(message.type, kind, `${kind} ${sizeLabel(size)}: type`);
            assert.is(payloadMismatch(message.data, data), null, `${kind} ${sizeLabel(size)}`);
          }
        }
      },
      { perMessageDeflate: { threshold: 0 } },
      undefined,
      { perMessageDeflate: true },
    );
  });

  test('our ping → the ws server pongs the same payload (empty, text, 125 bytes)', async () => {
    await withPair(async (connection, server) => {
      const seenByServer: Buffer[] = [];
      server.on('ping', (data: Buffer) => seenByServer.push(data));
      for (const payload of [Buffer.alloc(0), Buffer.from('client ping'), patternBytes(125, 5)]) {
        const pong = nextEvent<[Buffer]>(connection, 'pong', 5000, "our 'pong' event");
        connection.ping(payload);
        assert.ok((await pong)[0].equals(payload), `pong echoes the ${payload.length}-byte ping`);
      }
      assert.is(seenByServer.length, 3);
      assert.ok(seenByServer[2]!.equals(patternBytes(125, 5)));
    });
  });

  test('ping from the ws server → our ping event, and the ws server gets the same payload back', async () => {
    await withPair(async (connection, server) => {
      for (const payload of [Buffer.from('server ping'), Buffer.alloc(0), patternBytes(125, 6)]) {
        const ours = nextEvent<[Buffer]>(connection, 'ping', 5000, "our 'ping' event");
        const pong = nextEvent<[Buffer]>(server, 'pong', 5000, 'the pong at the ws server');
        server.ping(payload);
        assert.ok((await ours)[0].equals(payload));
        assert.ok((await pong)[0].equals(payload), 'automatic pong with the same payload');
      }
    });
  });

  test('subprotocol: the ws server picks one of ours', async () => {
    await withPair(
      async (connection, server) => {
        assert.is(connection.protocol, 'chat.v2');
        assert.is(server.protocol, 'chat.v2');
      },
      { handleProtocols: (protocols: Set<string>) => (protocols.has('chat.v2') ? 'chat.v2' : false) },
      undefined,
      { protocols: ['chat.v1', 'chat.v2'] },
    );
  });

  test('subprotocol: none offered → none agreed', async () => {
    await withPair(async (connection, server) => {
      assert.is(connection.protocol, '');
      assert.is(server.protocol, '');
    });
  });

  test('subprotocol: a ws server that answers with one we did not offer is refused (RFC 6455 §4.1)', async () => {
    const peer = await startWsServer({ handleProtocols: () => 'not-offered' });
    try {
      let failure: unknown;
      try {
        const connection = await withTimeout(connect(peer.url, { protocols: ['chat.v1'], handshakeTimeout: 5000, ...target.trust }), 6000, 'connect()');
        connection.terminate();
      } catch (error) {
        failure = error;
      }
      assert.ok(failure instanceof Error, 'connect() rejects');
    } finally {
      await peer.stop();
    }
  });

  test("close from our client: close(4001, 'bye') → the ws server gets 4001/'bye'; we report 4001, clean", async () => {
    await withPair(async (connection, server) => {
      const serverClose = nextEvent<[number, Buffer]>(server, 'close', 5000, "the ws server's close event");
      const ours = closeOf(connection);
      connection.close(4001, 'bye');
      const [code, reason] = await serverClose;
      assert.is(code, 4001);
      assert.is(reason.toString(), 'bye');
      const closed = await ours;
      assert.is(closed.code, 4001);
      assert.is(closed.wasClean, true);
    });
  });

  test("close from the ws server: ws.close(4002, 'srv') → we report 4002/'srv', clean, after earlier messages", async () => {
    await withPair(async (connection, server) => {
      const messages: DataMessage[] = [];
      connection.on('message', (message) => messages.push(message));
      const ours = closeOf(connection);
      const serverClose = nextEvent<[number, Buffer]>(server, 'close', 5000, "the ws server's close event");
      server.send('last words');
      server.close(4002, 'srv');
      assert.equal(await ours, { code: 4002, reason: 'srv', wasClean: true });
      assert.equal(messages, [{ type: 'text', data: 'last words' }]);
      assert.is((await serverClose)[0], 4002, 'the ws server got our echo of its code');
    });
  });

  test('close from the ws server without a code → we report 1005, clean', async () => {
    await withPair(async (connection, server) => {
      const ours = closeOf(connection);
      server.close();
      assert.equal(await ours, { code: 1005, reason: '', wasClean: true });
    });
  });

  test('the ws server terminating the connection → we report 1006, not clean', async () => {
    await withPair(async (connection, server) => {
      const ours = closeOf(connection);
      server.terminate();
      const closed = await ours;
      assert.is(closed.code, 1006);
      assert.is(closed.wasClean, false);
    });
  });

  test('a too-big message for the ws server (maxPayload) → ws closes with 1009 and we report it', async () => {
    await withPair(
      async (connection) => {
        const ours = closeOf(connection);
        connection.send(Buffer.alloc(2000));
        const closed = await ours;
        assert.is(closed.code, 1009);
      },
      { maxPayload: 1000 },
    );
  });
}
