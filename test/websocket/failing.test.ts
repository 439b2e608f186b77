/**
 * Failing the WebSocket connection (RFC 6455 §7.1.7, §7.2.1; WHATWG "the WebSocket
 * connection is closed"): a misbehaving server, side by side with Node's own client.
 * The standard: readyState is CLOSED, an error event fires, then close with the code of
 * the close frame *received* (1006 when none was), never the one we sent, an empty
 * reason, wasClean false; a close frame the server sends after we failed is not read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frame, MASK } from '../helpers/frames.js';
import { guardLeaks, startServer } from '../rx/helpers.js';
import { eventsOf, sequence, sideBySide, type ProbeRecord } from './probe.js';
import { startRawServer, type RawServerPeer } from './raw-server.js';
import { startWsServer } from './ws-server.js';

guardLeaks(test);

function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

/**
 * After the handshake the server writes `bytes`, then reads until the client's close
 * frame (or the end) and answers it with a close frame of its own (4004 'late reply'),
 * which a client that failed the connection must not process.
 */
function misbehaving(bytes: Buffer, clientCloses: Array<{ code: number | undefined; reason: string } | null>) {
  return async (peer: RawServerPeer): Promise<void> => {
    peer.write(bytes);
    const close = await peer.readClose();
    clientCloses.push(close);
    if (close) peer.write(frame({ opcode: 0x8, payload: closePayload(4004, 'late reply') }));
  };
}

function closeOf(records: readonly ProbeRecord[]): Pick<ProbeRecord, 'code' | 'reason' | 'wasClean'> {
  const [close] = eventsOf(records, 'close');
  assert.ok(close, `a close event: ${JSON.stringify(records)}`);
  return { code: close!.code, reason: close!.reason, wasClean: close!.wasClean };
}

const FAILURES = [
  { name: 'a masked frame from the server (§5.1)', bytes: frame({ opcode: 0x1, payload: 'masked', mask: MASK }), weSend: 1002 },
  { name: 'a close frame with code 1005, which may not be sent (§7.4.1)', bytes: frame({ opcode: 0x8, payload: closePayload(1005) }), weSend: 1002 },
  { name: 'a text message that is not UTF-8 (§8.1)', bytes: frame({ opcode: 0x1, payload: Buffer.from([0x61, 0xff]) }), weSend: 1007 },
];

for (const failure of FAILURES) {
  test(`we fail the connection on ${failure.name}: error, then close 1006 '' unclean, as Node's client`, async () => {
    const clientCloses: Array<{ code: number | undefined; reason: string } | null> = [];
    const server = await startRawServer(misbehaving(Buffer.concat([frame({ opcode: 0x1, payload: 'hi' }), failure.bytes]), clientCloses));
    try {
      const { node, ours } = await sideBySide(server.url, {});
      const standard = { code: 1006, reason: '', wasClean: false };
      assert.equal(sequence(ours), ['open', 'message', 'error', 'close']);
      assert.equal(closeOf(ours), standard);
      // WHATWG: readyState is CLOSED before error fires (Node's client fires error while still OPEN/CLOSING).
      assert.is(eventsOf(ours, 'error')[0]!.readyState, 3);
      assert.equal(sequence(node), ['open', 'message', 'error', 'close']);
      assert.equal(closeOf(node), standard);
      // We send the close frame of §7.1.7 first, and do not read the server's answer to it
      // (its 4004 would show up otherwise). (Node's client sends one or just drops TCP.)
      assert.equal(clientCloses.at(-1), { code: failure.weSend, reason: '' });
    } finally {
      await server.stop();
    }
  });
}

test("a close frame received, then a protocol error: close carries the received frame's code and reason", async () => {
  // Close 4000 'bye', then a masked frame in the same segment. Node's client stops reading
  // at the close frame (a clean 4000); wspipe's Connection decodes the rest of the chunk
  // and fails on it. Either way the code and reason are those of the frame received.
  const server = await startRawServer(
    misbehaving(Buffer.concat([frame({ opcode: 0x8, payload: closePayload(4000, 'bye') }), frame({ opcode: 0x1, payload: 'x', mask: MASK })]), []),
  );
  try {
    const { node, ours } = await sideBySide(server.url, {});
    for (const records of [node, ours]) {
      const close = closeOf(records);
      assert.equal([close.code, close.reason], [4000, 'bye'], JSON.stringify(records));
      // An error event means the connection was failed, and then it was not clean.
      assert.is(close.wasClean, !sequence(records).includes('error'), JSON.stringify(records));
    }
  } finally {
    await server.stop();
  }
});

test('the TCP connection drops after open without a close frame: error, then close 1006 (RFC 6455 §7.2.1)', async () => {
  const server = await startRawServer(async (peer) => {
    peer.write(frame({ opcode: 0x1, payload: 'hello' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    peer.socket.destroy();
  });
  try {
    const { node, ours } = await sideBySide(server.url, {});
    assert.equal(sequence(ours), ['open', 'message', 'error', 'close']);
    assert.equal(closeOf(ours), { code: 1006, reason: '', wasClean: false });
    // Node's client (undici 6) reports the same close but fires no error event: a deviation.
    assert.equal(closeOf(node), { code: 1006, reason: '', wasClean: false });
    assert.equal(sequence(node).filter((event) => event !== 'error'), ['open', 'message', 'close']);
  } finally {
    await server.stop();
  }
});

test('a server that refuses the handshake: CLOSED, error, then close 1006, no open', async () => {
  const server = await startRawServer(() => {}, { refuse: () => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' });
  try {
    const { node, ours } = await sideBySide(server.url, { deadlineMs: 1000 });
    assert.equal(sequence(ours), ['error', 'close']);
    assert.is(eventsOf(ours, 'error')[0]!.readyState, 3);
    assert.equal(closeOf(ours), { code: 1006, reason: '', wasClean: false });
    // Node's client (undici 6) fires the error, but while still CONNECTING, and then no close event at all.
    assert.is(sequence(node)[0], 'error');
    assert.not.ok(sequence(node).includes('open'));
  } finally {
    await server.stop();
  }
});

test('subprotocols offered and none selected by the server: the connection fails (WHATWG), no open', async () => {
  const server = await startWsServer({ handleProtocols: () => false });
  try {
    const { node, ours } = await sideBySide(server.url, { protocols: ['chat'], onOpen: 'ws.close()', deadlineMs: 1000 });
    assert.equal(sequence(ours), ['error', 'close']);
    assert.equal(closeOf(ours), { code: 1006, reason: '', wasClean: false });
    // Node's client fails it too (error, no open), though without a close event.
    assert.is(sequence(node)[0], 'error');
    assert.not.ok(sequence(node).includes('open'));
  } finally {
    await server.stop();
  }
});

test('close() while CONNECTING fails the connection: CLOSING at once, then error, close 1006', async () => {
  const ts = await startServer();
  try {
    const scenario = { onCreate: "ws.close(); log({ event: 'after close()', readyState: ws.readyState });", deadlineMs: 1000 };
    const { node, ours } = await sideBySide(ts.url, scenario);
    assert.equal(sequence(ours), ['after close()', 'error', 'close']);
    assert.is(ours[0]!.readyState, 2);
    assert.is(eventsOf(ours, 'error')[0]!.readyState, 3);
    assert.equal(closeOf(ours), { code: 1006, reason: '', wasClean: false });
    // Node's client is CLOSING after close() too, but fires error synchronously inside
    // close() and again later, and no close event.
    assert.is(eventsOf(node, 'after close()')[0]!.readyState, 2);
    assert.ok(sequence(node).includes('error'));
  } finally {
    await ts.close();
  }
});

test.run();
