/**
 * The client role under a hostile server (a raw server written apart from the library):
 * every kind of violation after the handshake fails the connection with the code RFC 6455
 * asks for, sent in our close frame and reported; every bad handshake response rejects
 * `connect()` with a HandshakeError naming it. Nothing is left behind (guardLeaks).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, HandshakeError } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { expectedAccept } from '../helpers/raw-peer.js';
import { closeOf } from '../helpers/servers.js';
import { startRawServer, type RawRequest } from '../websocket/raw-server.js';
import { guardLeaks } from '../rx/helpers.js';

guardLeaks(test);

function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return payload;
}

const FRAME_VIOLATIONS: Array<{ name: string; bytes: Buffer; code: number }> = [
  { name: 'a masked frame (§5.1)', bytes: frame({ opcode: 0x1, payload: 'hi', mask: MASK }), code: 1002 },
  { name: 'invalid UTF-8 in a text message (§8.1)', bytes: frame({ opcode: 0x1, payload: Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xf4, 0x90]) }), code: 1007 },
  { name: 'a ping of 126 bytes (§5.5)', bytes: frame({ opcode: 0x9, payload: Buffer.alloc(126) }), code: 1002 },
  { name: 'a fragmented ping (§5.5)', bytes: frame({ opcode: 0x9, fin: false, payload: 'p' }), code: 1002 },
  { name: 'a close frame with code 1005 (§7.4.1)', bytes: frame({ opcode: 0x8, payload: closePayload(1005) }), code: 1002 },
  { name: 'a close frame with code 999 (§7.4.2)', bytes: frame({ opcode: 0x8, payload: closePayload(999) }), code: 1002 },
  { name: 'a close frame with a 1-byte payload (§5.5.1)', bytes: frame({ opcode: 0x8, payload: Buffer.from([3]) }), code: 1002 },
  { name: 'a close reason that is not UTF-8 (§5.5.1)', bytes: frame({ opcode: 0x8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }), code: 1007 },
  { name: 'a reserved opcode (§5.2)', bytes: frame({ opcode: 0x3 }), code: 1002 },
  { name: 'RSV1 without an extension (§5.2)', bytes: frame({ opcode: 0x1, rsv1: true, payload: 'x' }), code: 1002 },
  { name: 'a continuation with no message (§5.4)', bytes: frame({ opcode: 0x0, payload: 'x' }), code: 1002 },
  { name: 'a 64-bit length with the top bit set (§5.2)', bytes: frame({ opcode: 0x2, announcedLength: 2n ** 63n }), code: 1002 },
  { name: 'a message over maxPayload (1 KiB)', bytes: frame({ opcode: 0x2, payload: Buffer.alloc(2048) }), code: 1009 },
];

for (const violation of FRAME_VIOLATIONS) {
  test(`a server sending ${violation.name}: the client fails with ${violation.code}`, async () => {
    const sent: Array<number | undefined> = [];
    const server = await startRawServer(async (peer) => {
      peer.write(violation.bytes);
      const close = await peer.readClose();
      sent.push(close?.code);
    });
    const client = await connect(server.url, { maxPayload: 1024 });
    try {
      const errors: Error[] = [];
      client.on('error', (error) => errors.push(error));
      const { code, wasClean } = await closeOf(client);
      assert.is(code, violation.code);
      assert.is(wasClean, false);
      assert.equal(sent, [violation.code], 'our close frame carried the code');
      assert.is((errors[0] as { closeCode?: number } | undefined)?.closeCode, violation.code);
    } finally {
      client.terminate();
      await server.stop();
    }
  });
}

/** A 101 that is right but for what `tamper` changes. */
function response(request: RawRequest, tamper: (lines: string[]) => string[] = (lines) => lines): string {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${expectedAccept(request.headers['sec-websocket-key'] ?? '')}`];
  return `${tamper(lines).join('\r\n')}\r\n\r\n`;
}

const BAD_RESPONSES: Array<{ name: string; answer: (request: RawRequest) => string; code: string; options?: Parameters<typeof connect>[1] }> = [
  { name: 'a wrong Sec-WebSocket-Accept', answer: (request) => response(request, (lines) => [...lines.slice(0, 3), 'Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==']), code: 'WS_ERR_HANDSHAKE_BAD_ACCEPT' },
  { name: 'no Sec-WebSocket-Accept', answer: (request) => response(request, (lines) => lines.slice(0, 3)), code: 'WS_ERR_HANDSHAKE_BAD_ACCEPT' },
  { name: 'Upgrade: h2c', answer: (request) => response(request, (lines) => [lines[0]!, 'Upgrade: h2c', ...lines.slice(2)]), code: 'WS_ERR_HANDSHAKE_BAD_UPGRADE' },
  // node:http does not take a 101 without `Connection: Upgrade` for an upgrade: a bad status.
  { name: 'no Connection: Upgrade', answer: (request) => response(request, (lines) => [lines[0]!, lines[1]!, 'Connection: keep-alive', lines[3]!]), code: 'WS_ERR_HANDSHAKE_BAD_STATUS' },
  { name: 'a 200 with a body', answer: () => 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', code: 'WS_ERR_HANDSHAKE_BAD_STATUS' },
  { name: 'something that is not HTTP', answer: () => 'SSH-2.0-OpenSSH_9.6\r\n\r\n', code: 'WS_ERR_HANDSHAKE_NOT_HTTP' },
  { name: 'a subprotocol not offered', answer: (request) => response(request, (lines) => [...lines, 'Sec-WebSocket-Protocol: evil']), code: 'WS_ERR_HANDSHAKE_BAD_PROTOCOL', options: { protocols: ['chat'] } },
  { name: 'an extension not offered', answer: (request) => response(request, (lines) => [...lines, 'Sec-WebSocket-Extensions: x-evil']), code: 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED' },
  {
    name: 'permessage-deflate when it was not offered',
    answer: (request) => response(request, (lines) => [...lines, 'Sec-WebSocket-Extensions: permessage-deflate']),
    code: 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED',
  },
  {
    name: 'permessage-deflate with server_max_window_bits=7',
    answer: (request) => response(request, (lines) => [...lines, 'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7']),
    code: 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS',
    options: { perMessageDeflate: true },
  },
  {
    name: 'permessage-deflate with an unknown parameter',
    answer: (request) => response(request, (lines) => [...lines, 'Sec-WebSocket-Extensions: permessage-deflate; x_evil']),
    code: 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS',
    options: { perMessageDeflate: true },
  },
  {
    name: 'permessage-deflate twice',
    answer: (request) => response(request, (lines) => [...lines, 'Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate']),
    code: 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS',
    options: { perMessageDeflate: true },
  },
];

for (const bad of BAD_RESPONSES) {
  test(`a handshake answered with ${bad.name}: connect() rejects with ${bad.code}`, async () => {
    const server = await startRawServer(() => {}, { refuse: bad.answer });
    try {
      const error = await connect(server.url, { handshakeTimeout: 3000, ...bad.options }).then(
        (connection) => {
          connection.terminate();
          throw new Error('connected');
        },
        (error: Error) => error,
      );
      assert.ok(error instanceof HandshakeError, `a HandshakeError: ${error.message}`);
      assert.is((error as HandshakeError).code, bad.code, error.message);
    } finally {
      await server.stop();
    }
  });
}

test.run();
