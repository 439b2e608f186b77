/**
 * Framing conformance of the server (RFC 6455 §5, §7, §8), over raw TCP: a hand-made
 * client does a valid opening handshake, then sends exactly the bytes of each case and
 * parses the server's answer itself. A violation must be answered by a close frame with
 * the code the RFC asks for, after which the server closes the TCP connection and sends
 * nothing more.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frame, MASK, type RawFrame } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf, nextConnection, startEcho, type EchoServer } from '../helpers/servers.js';

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

/** A masked client frame (RFC 6455 §5.3: every client frame is masked). */
function masked(spec: Omit<RawFrame, 'mask'>): Buffer {
  return frame({ ...spec, mask: MASK });
}

function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : reason]);
}

// Servers are started lazily inside tests (a failing uvu `before` hook would go unreported).
let defaultServer: Promise<EchoServer> | undefined;
let limitedServer: Promise<EchoServer> | undefined;
const echoServer = (): Promise<EchoServer> => (defaultServer ??= startEcho());
/** The echo server with maxPayload 1024 (the CLI's --max-payload). */
const limitedEchoServer = (): Promise<EchoServer> => (limitedServer ??= startEcho({ maxPayload: 1024 }));

test.after(async () => {
  for (const started of [defaultServer, limitedServer]) {
    if (started) await (await started).stop().catch(() => {});
  }
});

async function withPeer(body: (peer: RawPeer) => Promise<void>, server: Promise<EchoServer> = echoServer()): Promise<void> {
  const peer = await RawPeer.open((await server).port);
  try {
    await body(peer);
  } finally {
    peer.destroy();
  }
}

/** Sends `frames` one write each, then expects a close frame with `code` and the TCP close. */
function expectFailure(frames: Buffer[], code: number, server?: Promise<EchoServer>): Promise<void> {
  return withPeer(async (peer) => {
    for (const bytes of frames) await peer.write(bytes);
    const close = await peer.readClose();
    assert.is(close.code, code, `close code ${close.code} (reason ${JSON.stringify(close.reason)}), expected ${code}`);
    await peer.expectServerClose();
  }, server);
}

/** Reads the next frame and checks it is an unfragmented, extension-free frame of `opcode`. */
async function readWhole(peer: RawPeer, opcode: number): Promise<Buffer> {
  const received = await peer.readFrame();
  assert.is(received.opcode, opcode, `opcode ${received.opcode}, expected ${opcode}`);
  assert.ok(received.fin, 'FIN set');
  assert.is(received.rsv, 0, 'no RSV bit without a negotiated extension');
  return received.payload;
}

// ---- valid behaviour ----

test('ping → pong with the same payload (empty, short, 125 bytes)', async () => {
  await withPeer(async (peer) => {
    for (const payload of [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(125, 0xab)]) {
      await peer.write(masked({ opcode: PING, payload }));
      const pong = await readWhole(peer, PONG);
      assert.ok(pong.equals(payload), `pong payload of ${pong.length} bytes equals the ping's ${payload.length}`);
    }
  });
});

test('text and binary echo, with 7-, 16- and 64-bit lengths', async () => {
  await withPeer(async (peer) => {
    for (const size of [0, 125, 126, 65535, 65536, 70000]) {
      const binary = Buffer.alloc(size, size & 0xff);
      await peer.write(masked({ opcode: BINARY, payload: binary }));
      assert.ok((await readWhole(peer, BINARY)).equals(binary), `binary echo of ${size} bytes`);
      const text = 'é'.repeat(size >> 1) + 'x'.repeat(size & 1);
      await peer.write(masked({ opcode: TEXT, payload: text }));
      assert.is((await readWhole(peer, TEXT)).toString('utf8'), text, `text echo of ${size} bytes`);
    }
  });
});

test('fragmented text with a ping between fragments: pong first, then one message (UTF-8 split across frames)', async () => {
  await withPeer(async (peer) => {
    const bytes = Buffer.from('κόσμε, hello');
    // Split inside the 2-byte "ό" so that the UTF-8 check must carry state across frames.
    await peer.write(masked({ opcode: TEXT, fin: false, payload: bytes.subarray(0, 3) }));
    await peer.write(masked({ opcode: PING, payload: 'between' }));
    await peer.write(masked({ opcode: CONTINUATION, fin: false, payload: bytes.subarray(3, 8) }));
    await peer.write(masked({ opcode: CONTINUATION, fin: true, payload: bytes.subarray(8) }));
    assert.is((await readWhole(peer, PONG)).toString(), 'between');
    assert.is((await readWhole(peer, TEXT)).toString('utf8'), 'κόσμε, hello');
  });
});

test('close 1000 → the server echoes close 1000 and closes TCP', async () => {
  await withPeer(async (peer) => {
    await peer.write(masked({ opcode: CLOSE, payload: closePayload(1000, 'done') }));
    const close = await peer.readClose();
    assert.is(close.code, 1000);
    await peer.expectServerClose();
    assert.ok(peer.sawEnd, 'the server ended TCP with a FIN');
  });
});

test('close with a 4000-4999 code is echoed; empty close is answered by a close', async () => {
  await withPeer(async (peer) => {
    await peer.write(masked({ opcode: CLOSE, payload: closePayload(4321, 'app') }));
    assert.is((await peer.readClose()).code, 4321);
    await peer.expectServerClose();
  });
  await withPeer(async (peer) => {
    await peer.write(masked({ opcode: CLOSE }));
    const close = await peer.readClose();
    assert.ok(close.code === undefined || close.code === 1000, `empty close answered with ${close.code}`);
    await peer.expectServerClose();
  });
});

test('data after the client\'s close frame is ignored: only the close is answered', async () => {
  await withPeer(async (peer) => {
    await peer.write(Buffer.concat([masked({ opcode: CLOSE, payload: closePayload(1000) }), masked({ opcode: TEXT, payload: 'too late' })]));
    assert.is((await peer.readClose()).code, 1000);
    await peer.expectServerClose();
  });
});

test('the client ending TCP without a close frame → the server closes too and reports 1006', async () => {
  const server = await echoServer();
  const accepted = nextConnection(server.server);
  const peer = await RawPeer.open(server.port);
  try {
    const closed = closeOf(await accepted);
    peer.socket.end();
    await peer.expectServerClose();
    assert.equal(await closed, { code: 1006, reason: '', wasClean: false });
  } finally {
    peer.destroy();
  }
});

test('a 4 MiB text message in 65,536 fragments of 64 bytes arrives as one message', async () => {
  await withPeer(async (peer) => {
    const payload = Buffer.alloc(64, 0x61);
    const frames: Buffer[] = [];
    for (let i = 0; i < 65536; i++) frames.push(masked({ opcode: i === 0 ? TEXT : CONTINUATION, fin: i === 65535, payload }));
    await peer.write(Buffer.concat(frames));
    const message = await readWhole(peer, TEXT);
    assert.is(message.length, 4 << 20);
    assert.ok(message.equals(Buffer.alloc(4 << 20, 0x61)), 'content');
  });
});

test('a message pipelined right after the handshake request, in the same TCP write, is processed', async () => {
  const server = await echoServer();
  const pipelined = Buffer.concat([masked({ opcode: TEXT, payload: 'early bird' }), masked({ opcode: PING, payload: 'p' })]);
  const peer = await RawPeer.open(server.port, { pipelined });
  try {
    assert.is((await readWhole(peer, TEXT)).toString(), 'early bird');
    assert.is((await readWhole(peer, PONG)).toString(), 'p');
  } finally {
    peer.destroy();
  }
});

test('a message of exactly maxPayload (1024) is accepted', async () => {
  await withPeer(async (peer) => {
    const payload = Buffer.alloc(1024, 7);
    await peer.write(masked({ opcode: BINARY, payload }));
    assert.ok((await readWhole(peer, BINARY)).equals(payload));
    await peer.write(masked({ opcode: BINARY, fin: false, payload: payload.subarray(0, 512) }));
    await peer.write(masked({ opcode: CONTINUATION, payload: payload.subarray(512) }));
    assert.ok((await readWhole(peer, BINARY)).equals(payload), 'fragmented, 1024 bytes in all');
  }, limitedEchoServer());
});

// ---- violations: framing (1002) ----

test('unmasked client frame → 1002', async () => {
  await expectFailure([frame({ opcode: TEXT, payload: 'not masked' })], 1002);
});

test('unmasked client ping → 1002', async () => {
  await expectFailure([frame({ opcode: PING, payload: 'x' })], 1002);
});

for (const opcode of [0x3, 0x7, 0xb, 0xf]) {
  test(`reserved opcode 0x${opcode.toString(16)} → 1002`, async () => {
    await expectFailure([masked({ opcode, payload: 'reserved' })], 1002);
  });
}

for (const bit of ['rsv1', 'rsv2', 'rsv3'] as const) {
  test(`${bit.toUpperCase()} set without an extension → 1002`, async () => {
    await expectFailure([masked({ opcode: TEXT, payload: 'hi', [bit]: true })], 1002);
  });
}

test('RSV1 on a ping (no extension) → 1002', async () => {
  await expectFailure([masked({ opcode: PING, payload: 'x', rsv1: true })], 1002);
});

test('ping with a 126-byte payload → 1002', async () => {
  await expectFailure([masked({ opcode: PING, payload: Buffer.alloc(126, 1) })], 1002);
});

test('close with a 126-byte payload → 1002', async () => {
  await expectFailure([masked({ opcode: CLOSE, payload: closePayload(1000, 'x'.repeat(124)) })], 1002);
});

test('fragmented ping (FIN clear) → 1002', async () => {
  await expectFailure([masked({ opcode: PING, fin: false, payload: 'frag' })], 1002);
});

test('continuation frame without a message in progress → 1002', async () => {
  await expectFailure([masked({ opcode: CONTINUATION, payload: 'orphan' })], 1002);
});

test('new text frame while a fragmented message is in progress → 1002', async () => {
  await expectFailure(
    [masked({ opcode: TEXT, fin: false, payload: 'first' }), masked({ opcode: TEXT, fin: true, payload: 'second' })],
    1002,
  );
});

test('new binary frame while a fragmented text message is in progress → 1002', async () => {
  await expectFailure(
    [masked({ opcode: TEXT, fin: false, payload: 'first' }), masked({ opcode: BINARY, fin: false, payload: 'second' })],
    1002,
  );
});

test('64-bit payload length with the most significant bit set → 1002', async () => {
  await expectFailure([masked({ opcode: BINARY, lengthBits: 64, announcedLength: 0x8000000000000000n })], 1002);
});

test('64-bit length with the top bit set, header split across writes → 1002', async () => {
  const bytes = masked({ opcode: BINARY, lengthBits: 64, announcedLength: 0x8000000000000001n });
  await expectFailure([bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)], 1002);
});

// ---- violations: UTF-8 (1007) ----

test('invalid UTF-8 in a text message → 1007', async () => {
  await expectFailure([masked({ opcode: TEXT, payload: Buffer.from([0x68, 0x69, 0xff, 0x21]) })], 1007);
});

test('text ending in a truncated UTF-8 sequence → 1007', async () => {
  await expectFailure([masked({ opcode: TEXT, payload: Buffer.from([0x61, 0xce]) })], 1007);
});

test('UTF-16 surrogate encoded in UTF-8 (ED A0 80) → 1007', async () => {
  await expectFailure([masked({ opcode: TEXT, payload: Buffer.from([0xed, 0xa0, 0x80]) })], 1007);
});

test('invalid UTF-8 in the first fragment → 1007 before the final fragment is sent', async () => {
  await expectFailure([masked({ opcode: TEXT, fin: false, payload: Buffer.from([0xc0, 0xaf]) })], 1007);
});

test('invalid UTF-8 in a later fragment → 1007 before the final fragment is sent', async () => {
  // Valid "κόσμε", then a fragment holding a surrogate; the final fragment is never sent:
  // RFC 6455 §8.1 / Autobahn 6.4: fail fast, as soon as the invalid bytes arrive.
  await expectFailure(
    [
      masked({ opcode: TEXT, fin: false, payload: 'κόσμε' }),
      masked({ opcode: CONTINUATION, fin: false, payload: Buffer.from([0xce, 0xba, 0xed, 0xa0, 0x80, 0x61]) }),
    ],
    1007,
  );
});

test('invalid UTF-8 split across fragments (first byte valid prefix) → 1007 before the final fragment', async () => {
  await expectFailure(
    [
      masked({ opcode: TEXT, fin: false, payload: Buffer.from([0x61, 0xf4]) }),
      masked({ opcode: CONTINUATION, fin: false, payload: Buffer.from([0x90, 0x80, 0x80]) }), // > U+10FFFF
    ],
    1007,
  );
});

// ---- violations: close frames ----

test('close frame with a 1-byte payload → 1002', async () => {
  await expectFailure([masked({ opcode: CLOSE, payload: Buffer.from([0x03]) })], 1002);
});

for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
  test(`close with code ${code} (not allowed on the wire) → 1002`, async () => {
    await expectFailure([masked({ opcode: CLOSE, payload: closePayload(code) })], 1002);
  });
}

test('close with an invalid UTF-8 reason → 1007', async () => {
  await expectFailure([masked({ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0x6f, 0x6b, 0xff, 0xfe])) })], 1007);
});

// ---- violations: limits (1009) ----

test('binary message over maxPayload (1025 > 1024) → 1009', async () => {
  await expectFailure([masked({ opcode: BINARY, payload: Buffer.alloc(1025, 1) })], 1009, limitedEchoServer());
});

test('text message over maxPayload → 1009', async () => {
  await expectFailure([masked({ opcode: TEXT, payload: 'a'.repeat(4096) })], 1009, limitedEchoServer());
});

test('fragmented message over maxPayload → 1009 before the final fragment is sent', async () => {
  await expectFailure(
    [masked({ opcode: BINARY, fin: false, payload: Buffer.alloc(600, 1) }), masked({ opcode: CONTINUATION, fin: false, payload: Buffer.alloc(600, 2) })],
    1009,
    limitedEchoServer(),
  );
});

test('a 1 MiB frame → 1009 once 1025 bytes of it arrived, before the rest is sent', async () => {
  // The header announces 1 MiB; only 1100 payload bytes follow. The server must not wait
  // for (or buffer) the whole frame to find out that it is too big.
  const header = masked({ opcode: BINARY, lengthBits: 64, announcedLength: 1 << 20 });
  await expectFailure([header, Buffer.alloc(1100, 3)], 1009, limitedEchoServer());
});

test.run();
