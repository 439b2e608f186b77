/**
 * A server never writes anything but frames after a 101 (RFC 6455 §4.2.2: once the
 * handshake response is sent, the connection carries WebSocket frames only). Options a
 * connection would fail on are refused when the server is made, not after a client was
 * told 101; options a server takes give handshakes, with and without a permessage-deflate
 * offer, whose bytes are one HTTP response, then frames, then the end of TCP.
 * The client is a raw TCP socket: the bytes are the point.
 */
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type ServerOptions, type WebSocketServer } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer, upgradeRequest } from '../helpers/raw-peer.js';
import { withTimeout } from '../helpers/timeouts.js';

/** What the server says once a client is in: enough text to be compressed, then a clean close. */
const GREETING = 'hello, '.repeat(400);

/** Options a server takes: each handshake with them must be clean. */
const TAKEN: readonly ServerOptions[] = [
  {},
  { perMessageDeflate: true },
  { perMessageDeflate: { clientMaxWindowBits: 8 } },
  { perMessageDeflate: { serverMaxWindowBits: 9, clientNoContextTakeover: true, level: 9, memLevel: 1, threshold: 0 } },
  { perMessageDeflate: { clientMaxWindowBits: false, serverNoContextTakeover: true } },
  { fragmentSize: 1000, perMessageDeflate: { threshold: 0 } },
  { maxPayload: 0, heartbeat: { interval: 1 } },
];

/**
 * Options that a connection cannot run with: wspipe 0.1 took them when the server was
 * made and answered a client 101 then 500. They must be refused at the call instead.
 */
const UNUSABLE: readonly ServerOptions[] = [
  { maxPayload: -1 },
  { fragmentSize: 0 },
  { heartbeat: { interval: -5 } },
  { perMessageDeflate: { level: 42 } },
  { perMessageDeflate: { serverMaxWindowBits: 8 } },
  { perMessageDeflate: { threshold: -1 } },
  { stages: { decode: [{ after: 'Nowhere' as never, create: () => new PassThrough({ objectMode: true }) }] } },
];

/** Offers a client may make: none, the plain one, with parameters, and several at once. */
const OFFERS: ReadonlyArray<string | null> = [
  null,
  'permessage-deflate',
  'permessage-deflate; client_max_window_bits',
  'permessage-deflate; server_max_window_bits=8; client_max_window_bits=8',
  'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
  'x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=10, permessage-deflate',
];

/**
 * One handshake over a raw socket: returns every byte the server sent, after checking
 * they are exactly one 101 response, then frames (a data message, a close 1000, which
 * this client answers), then the end of TCP, with nothing else anywhere.
 */
async function handshake(port: number, offer: string | null): Promise<void> {
  const peer = await RawPeer.connect(port);
  const all: Buffer[] = [];
  peer.socket.on('data', (chunk: Buffer) => all.push(chunk));
  try {
    await peer.write(upgradeRequest(port, offer === null ? {} : { headers: { 'Sec-WebSocket-Extensions': offer } }).text);
    const head = await peer.readResponseHead();
    assert.is(head.status, 101, `${offer}: ${head.statusLine}`);
    const compressed = /permessage-deflate/.test(head.headers['sec-websocket-extensions'] ?? '');
    let sawData = false;
    for (;;) {
      const received = await peer.readFrame();
      // Only permessage-deflate gives RSV1 a meaning, on data frames (RFC 7692 §6).
      assert.ok(received.rsv === 0 || (compressed && received.rsv === 4 && received.opcode !== 0x8), `${offer}: a frame with RSV ${received.rsv}`);
      if (received.opcode === 0x1 || received.opcode === 0x0) {
        sawData = true;
        continue;
      }
      if (received.opcode === 0x9 || received.opcode === 0xa) continue; // heartbeat pings
      assert.is(received.opcode, 0x8, `${offer}: an unexpected opcode ${received.opcode}`);
      assert.ok(received.fin);
      assert.is(received.payload.readUInt16BE(0), 1000);
      break;
    }
    assert.ok(sawData, `${offer}: the greeting did not come`);
    await peer.write(frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]), mask: MASK }));
    await peer.expectServerClose();
    const bytes = Buffer.concat(all).toString('latin1');
    assert.is(bytes.indexOf('HTTP/1.1'), 0);
    assert.is(bytes.indexOf('HTTP/1.1', 1), -1, `${offer}: a second HTTP response followed the 101`);
  } finally {
    peer.destroy();
  }
}

/** Made with `options` (throws if they are refused), listening; greets every client then closes with 1000. */
function greetingServer(options: ServerOptions): WebSocketServer {
  return createServer({ ...options, host: '127.0.0.1', port: 0 }, (connection) => {
    connection.send(GREETING);
    connection.close(1000);
  });
}

async function portOf(server: WebSocketServer): Promise<number> {
  return (await withTimeout(server.listen(), 5000, 'the server to listen')).port;
}

for (const options of TAKEN) {
  test(`a server made with ${JSON.stringify(options)} writes one 101 then only frames, for every offer`, async () => {
    const server = greetingServer(options);
    try {
      const port = await portOf(server);
      for (const offer of OFFERS) await handshake(port, offer);
    } finally {
      await withTimeout(server.close({ timeout: 1000 }), 5000, 'the server to close');
    }
  });
}

for (const options of UNUSABLE) {
  const described = JSON.stringify(options, (_key, value: unknown) => (typeof value === 'function' ? 'fn' : value));
  test(`a server made with ${described} is refused at the call, before any client is told 101`, async () => {
    let server: WebSocketServer | undefined;
    let refused: unknown;
    try {
      server = greetingServer(options);
      const port = await portOf(server);
      for (const offer of OFFERS) await handshake(port, offer);
    } catch (error) {
      refused = error;
    } finally {
      if (server) await withTimeout(server.close({ timeout: 1000 }), 5000, 'the server to close');
    }
    assert.ok(server === undefined, `the server was made; its handshakes: ${refused === undefined ? 'clean' : String(refused)}`);
    assert.ok(refused instanceof TypeError || refused instanceof RangeError, String(refused));
  });
}

test.run();
