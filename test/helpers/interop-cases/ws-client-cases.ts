/**
 * Interop cases: our server (the CLI's echo server) with a client we did not write, the
 * `ws` package: message sizes around every length encoding up to 16 MiB, fragmented
 * messages, pings both ways, subprotocol selection, and the close handshake from both
 * sides. Defined on a suite for a target (ws:// or wss://, listening or attached), so
 * test/interop/ws-client.test.ts and its TLS twin run the same cases.
 */
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import type { Connection } from '../../../src/connection/connection.js';
import { INTEROP_SIZES, patternBytes, patternText, payloadMismatch, sizeLabel } from '../payloads.js';
import { closeOf, nextConnection, echoServers, type EchoServer } from '../servers.js';
import { eventually, nextEvent } from '../timeouts.js';
import type { InteropTarget } from './targets.js';

export function wsClientCases(test: Test, target: InteropTarget): void {
  const servers = echoServers(target.startEcho);
  const echoServer = servers.shared;
  const startExtra = servers.extra;
  test.after(servers.stopAll);

  /** A `ws` client, open (within 5 s), with the server-side Connection it got. */
  async function open(server: EchoServer, protocols?: string[]): Promise<{ ws: WebSocket; connection: Connection }> {
    const accepted = nextConnection(server.server);
    const ws = new WebSocket(server.url, protocols, { maxPayload: 64 << 20, ...target.trust });
    ws.on('error', () => {});
    try {
      await nextEvent(ws, 'open', 5000, 'the ws client to open');
      return { ws, connection: await accepted };
    } catch (error) {
      ws.terminate();
      throw error;
    }
  }

  /** Runs `body` with an open client; always terminates it. */
  async function withClient(body: (ws: WebSocket, connection: Connection) => Promise<void>, server?: EchoServer, protocols?: string[]): Promise<void> {
    const { ws, connection } = await open(server ?? (await echoServer()), protocols);
    try {
      await body(ws, connection);
    } finally {
      ws.terminate();
    }
  }

  /** The next message the ws client receives, as [data, isBinary]. */
  function nextMessage(ws: WebSocket, ms = 10_000): Promise<[Buffer, boolean]> {
    return nextEvent<[Buffer, boolean]>(ws, 'message', ms, 'a message on the ws client');
  }

  test('text messages of 0 B .. 16 MiB echo intact, as text', async () => {
    await withClient(async (ws) => {
      for (const size of INTEROP_SIZES) {
        const text = patternText(size, size);
        const reply = nextMessage(ws);
        ws.send(text);
        const [data, isBinary] = await reply;
        assert.is(isBinary, false, `${sizeLabel(size)}: echoed as text`);
        assert.is(payloadMismatch(data.toString('utf8'), text), null, `${sizeLabel(size)} text`);
      }
    });
  });

  test('binary messages of 0 B .. 16 MiB echo intact, as binary', async () => {
    await withClient(async (ws) => {
      for (const size of INTEROP_SIZES) {
        const bytes = patternBytes(size, size);
        const reply = nextMessage(ws);
        ws.send(bytes);
        const [data, isBinary] = await reply;
        assert.is(isBinary, true, `${sizeLabel(size)}: echoed as binary`);
        assert.is(payloadMismatch(data, bytes), null, `${sizeLabel(size)} binary`);
      }
    });
  });

  test('permessage-deflate negotiated with ws: text and binary up to 1 MiB (and compressed fragments) echo intact', async () => {
    const server = await startExtra({ perMessageDeflate: true });
    const accepted = nextConnection(server.server);
    const ws = new WebSocket(server.url, { perMessageDeflate: { threshold: 0 }, ...target.trust });
    ws.on('error', () => {});
    try {
      await nextEvent(ws, 'open', 5000, 'the ws client to open');
      assert.match(ws.extensions, /permessage-deflate/, `ws.extensions: ${ws.extensions}`);
      assert.match((await accepted).extensions, /permessage-deflate/);
      for (const size of [0, 1, 125, 126, 65536, 1 << 20]) {
        for (const kind of ['text', 'binary'] as const) {
          const data = kind === 'text' ? patternText(size, size) : patternBytes(size, size);
          const reply = nextMessage(ws);
          ws.send(data);
          const [echoed, isBinary] = await reply;
          assert.is(isBinary, kind === 'binary', `${kind} ${sizeLabel(size)}: type`);
          assert.is(payloadMismatch(kind === 'text' ? echoed.toString('utf8') : echoed, data), null, `${kind} ${sizeLabel(size)}`);
        }
      }
      const reply = nextMessage(ws);
      ws.send('compressed ', { fin: false });
      ws.send('in ', { fin: false });
      ws.send('fragments', { fin: true });
      assert.is((await reply)[0].toString(), 'compressed in fragments');
    } finally {
      ws.terminate();
    }
  });

  test('multi-byte UTF-8 text (2-, 3- and 4-byte characters) echoes intact', async () => {
    await withClient(async (ws) => {
      const text = 'κόσμε – 中文 – 😀 '.repeat(5000);
      const reply = nextMessage(ws);
      ws.send(text);
      const [data, isBinary] = await reply;
      assert.is(isBinary, false);
      assert.is(payloadMismatch(data.toString('utf8'), text), null);
    });
  });

  test('the server sees exactly what ws sent (its message event, both types)', async () => {
    await withClient(async (ws, connection) => {
      const seen = nextEvent<[{ type: string; data: string | Buffer }]>(connection, 'message', 5000, 'the server-side message');
      ws.send('server-side view');
      const [message] = await seen;
      assert.equal(message, { type: 'text', data: 'server-side view' });
      const seenBinary = nextEvent<[{ type: string; data: string | Buffer }]>(connection, 'message', 5000, 'the server-side message');
      ws.send(Buffer.from([1, 2, 3]));
      const [binary] = await seenBinary;
      assert.is(binary.type, 'binary');
      assert.ok(Buffer.isBuffer(binary.data) && binary.data.equals(Buffer.from([1, 2, 3])));
    });
  });

  test('fragmented messages (ws.send with fin: false) arrive as one message each', async () => {
    await withClient(async (ws, connection) => {
      const received: Array<{ type: string; data: string | Buffer }> = [];
      connection.on('message', (message) => received.push(message));
      const replies: Array<[Buffer, boolean]> = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => replies.push([data, isBinary]));

      // Text in three fragments, a 2-byte character split between two of them.
      const euro = Buffer.from('é');
      ws.send('Hello, caf', { fin: false });
      ws.send(euro.subarray(0, 1), { fin: false, binary: false });
      ws.send(Buffer.concat([euro.subarray(1), Buffer.from(' world')]), { fin: true, binary: false });
      // Binary in five 100 KiB fragments, with a ping between two of them.
      const big = patternBytes(500 * 1024, 7);
      const pong = nextEvent<[Buffer]>(ws, 'pong', 5000, 'the pong between fragments');
      for (let i = 0; i < 5; i++) {
        ws.send(big.subarray(i * 102400, (i + 1) * 102400), { fin: i === 4 });
        if (i === 1) ws.ping('mid-message');
      }
      // An empty final fragment.
      ws.send('abc', { fin: false });
      ws.send('', { fin: true });
      ws.send('sentinel');

      assert.is((await pong)[0].toString(), 'mid-message');
      await eventually(() => replies.length >= 4, 10_000, 'four echoed messages');
      assert.is(received.length, 4, `the server got ${received.length} messages`);
      assert.equal(received[0], { type: 'text', data: 'Hello, café world' });
      assert.is(received[1]!.type, 'binary');
      assert.is(payloadMismatch(received[1]!.data, big), null);
      assert.equal(received[2], { type: 'text', data: 'abc' });
      assert.equal(received[3], { type: 'text', data: 'sentinel' });
      assert.is(replies.length, 4);
      assert.is(replies[0]![0].toString(), 'Hello, café world');
      assert.is(payloadMismatch(replies[1]![0], big), null);
      assert.is(replies[1]![1], true);
    });
  });

  test('ws.ping → pong with the same payload (empty, text, 125 bytes)', async () => {
    await withClient(async (ws, connection) => {
      const pings: Buffer[] = [];
      connection.on('ping', (data) => pings.push(data));
      for (const payload of [Buffer.alloc(0), Buffer.from('are you there?'), patternBytes(125, 1)]) {
        const pong = nextEvent<[Buffer]>(ws, 'pong', 5000, 'a pong');
        ws.ping(payload);
        const [data] = await pong;
        assert.ok(data.equals(payload), `pong of ${data.length} bytes echoes the ${payload.length}-byte ping`);
      }
      assert.is(pings.length, 3, "the server's 'ping' event fired for each");
    });
  });

  test('server-initiated ping: ws answers, our pong event has the same payload', async () => {
    await withClient(async (ws, connection) => {
      for (const payload of [Buffer.from('server ping'), Buffer.alloc(0), patternBytes(125, 2)]) {
        const clientPing = nextEvent<[Buffer]>(ws, 'ping', 5000, 'the ping at the ws client');
        const serverPong = nextEvent<[Buffer]>(connection, 'pong', 5000, "the server's 'pong' event");
        connection.ping(payload);
        assert.ok((await clientPing)[0].equals(payload), 'ws received the ping payload');
        assert.ok((await serverPong)[0].equals(payload), 'the pong echoes the ping payload');
      }
    });
  });

  test('subprotocol: handleProtocols as a function picks from the offered ones', async () => {
    const server = await startExtra({ handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false) });
    await withClient(
      async (ws, connection) => {
        assert.is(ws.protocol, 'chat.v2');
        assert.is(connection.protocol, 'chat.v2');
      },
      server,
      ['chat.v1', 'chat.v2'],
    );
  });

  test('subprotocol: handleProtocols as a list takes the client-preferred supported one', async () => {
    const server = await startExtra({ handleProtocols: ['mqtt', 'chat.v1', 'chat.v2'] });
    await withClient(
      async (ws, connection) => {
        assert.is(ws.protocol, 'chat.v2');
        assert.is(connection.protocol, 'chat.v2');
      },
      server,
      ['chat.v2', 'chat.v1'],
    );
  });

  test('subprotocol: none offered → none selected', async () => {
    const server = await startExtra({ handleProtocols: ['chat.v1'] });
    await withClient(async (ws, connection) => {
      assert.is(ws.protocol, '');
      assert.is(connection.protocol, '');
    }, server);
  });

  test("close from ws: ws.close(4001, 'bye') → the server reports 4001/'bye', clean; ws gets 4001 back", async () => {
    await withClient(async (ws, connection) => {
      const serverClose = closeOf(connection);
      const clientClose = nextEvent<[number, Buffer]>(ws, 'close', 5000, "ws's close event");
      ws.close(4001, 'bye');
      assert.equal(await serverClose, { code: 4001, reason: 'bye', wasClean: true });
      const [code] = await clientClose;
      assert.is(code, 4001);
    });
  });

  test('close from ws with a UTF-8 reason, and with no code (1005 reported)', async () => {
    await withClient(async (ws, connection) => {
      const serverClose = closeOf(connection);
      ws.close(1000, 'ünïcödé ✓');
      assert.equal(await serverClose, { code: 1000, reason: 'ünïcödé ✓', wasClean: true });
    });
    await withClient(async (ws, connection) => {
      const serverClose = closeOf(connection);
      const clientClose = nextEvent<[number, Buffer]>(ws, 'close', 5000, "ws's close event");
      ws.close();
      assert.equal(await serverClose, { code: 1005, reason: '', wasClean: true });
      assert.is((await clientClose)[0], 1005);
    });
  });

  test("close from the server: connection.close(4002, 'srv') → ws gets 4002/'srv' after the messages sent before", async () => {
    await withClient(async (ws, connection) => {
      const messages: string[] = [];
      ws.on('message', (data: Buffer) => messages.push(data.toString()));
      const clientClose = nextEvent<[number, Buffer]>(ws, 'close', 5000, "ws's close event");
      const serverClose = closeOf(connection);
      connection.send('one');
      connection.send('two');
      connection.close(4002, 'srv');
      const [code, reason] = await clientClose;
      assert.is(code, 4002);
      assert.is(reason.toString(), 'srv');
      assert.equal(messages, ['one', 'two'], 'messages sent before close() are delivered first');
      const closed = await serverClose;
      assert.is(closed.code, 4002);
      assert.is(closed.wasClean, true);
    });
  });

  test('abrupt destroy of the client socket → the server reports 1006, not clean', async () => {
    await withClient(async (ws, connection) => {
      const serverClose = closeOf(connection);
      ws.terminate();
      const closed = await serverClose;
      assert.is(closed.code, 1006);
      assert.is(closed.wasClean, false);
    });
  });

  test('an echo server with maxPayload closes a too-big message from ws with 1009', async () => {
    const server = await startExtra({ maxPayload: 1000 });
    await withClient(async (ws) => {
      const clientClose = nextEvent<[number, Buffer]>(ws, 'close', 5000, "ws's close event");
      ws.send(Buffer.alloc(1001));
      assert.is((await clientClose)[0], 1009);
    }, server);
  });
}
