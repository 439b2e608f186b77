/**
 * ProtocolSocket: the documented raw `stream.pipeline` recipe sends the close frame a
 * protocol error requires (RFC 6455 §7.1.7), checked byte by byte by a raw peer — the
 * plain socket at both ends of `pipeline` would die before the peer learns why.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildAcceptResponse,
  Defragmenter,
  FrameSerializer,
  Fragmenter,
  HeaderParser,
  Masker,
  MessageDecoder,
  MessageEncoder,
  ProtocolSocket,
  readUpgradeRequest,
  Unmasker,
  validateUpgradeRequest,
  type Message,
} from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { withTimeout } from '../helpers/timeouts.js';

/** Echoes data messages; the pipeline's outcome is reported to `ended`. */
function echoStage(): Transform {
  return new Transform({
    objectMode: true,
    transform(message: Message, _encoding: BufferEncoding, callback: TransformCallback) {
      if (message.type === 'text' || message.type === 'binary') this.push(message);
      callback();
    },
  });
}

/** A raw `net` server running the README's pipeline recipe, with or without ProtocolSocket. */
async function recipeServer(useProtocolSocket: boolean): Promise<{ server: Server; port: number; ended: Promise<Error | undefined> }> {
  let report: (error: Error | undefined) => void = () => {};
  const ended = new Promise<Error | undefined>((resolve) => (report = resolve));
  const server = createServer(async (socket: Socket) => {
    const request = await readUpgradeRequest(socket, { timeout: 2000 });
    socket.write(buildAcceptResponse({ key: validateUpgradeRequest(request).key }));
    if (request.head.length > 0) socket.unshift(request.head);
    const wire = useProtocolSocket ? new ProtocolSocket(socket, { role: 'server' }) : socket;
    pipeline(
      wire,
      new HeaderParser({ maxPayload: 1024 }),
      new Unmasker({ role: 'server' }),
      new Defragmenter(),
      new MessageDecoder({ maxPayload: 1024 }),
      echoStage(),
      new MessageEncoder(),
      new Fragmenter(),
      new Masker({ role: 'server' }),
      new FrameSerializer(),
      wire,
      (error) => report(error ?? undefined),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, ended };
}

const violations: Array<{ name: string; bytes: Buffer; code: number }> = [
  { name: 'an unmasked frame', bytes: frame({ opcode: 1, payload: 'hi' }), code: 1002 },
  { name: 'invalid UTF-8', bytes: frame({ opcode: 1, payload: Buffer.from([0xc3, 0x28]), mask: MASK }), code: 1007 },
  { name: 'a frame over maxPayload', bytes: frame({ opcode: 2, announcedLength: 4096, mask: MASK }), code: 1009 },
  { name: 'a reserved opcode', bytes: frame({ opcode: 3, mask: MASK }), code: 1002 },
];

for (const violation of violations) {
  test(`${violation.name}: the peer gets a close frame with ${violation.code}, then TCP closes`, async () => {
    const { server, port, ended } = await recipeServer(true);
    const peer = await RawPeer.open(port);
    try {
      await peer.write(frame({ opcode: 1, payload: 'ok', mask: MASK }));
      const echo = await peer.readFrame();
      assert.is(echo.payload.toString(), 'ok');
      await peer.write(violation.bytes);
      const close = await peer.readFrame();
      assert.is(close.opcode, 0x8);
      assert.is(close.fin, true);
      assert.equal([...close.payload], [violation.code >> 8, violation.code & 0xff]); // code only, no reason
      await peer.expectServerClose();
      const error = await withTimeout(ended, 2000, 'the pipeline to end');
      assert.is((error as { closeCode?: number } | undefined)?.closeCode, violation.code);
    } finally {
      peer.destroy();
      server.close();
    }
  });
}

test('without ProtocolSocket the same recipe sends no close frame at all (why the piece exists)', async () => {
  const { server, port, ended } = await recipeServer(false);
  const peer = await RawPeer.open(port);
  try {
    await peer.write(frame({ opcode: 1, payload: 'hi' })); // unmasked: 1002 is due
    await withTimeout(ended, 2000, 'the pipeline to end');
    await peer.expectServerClose();
    assert.is(peer.unread, 0, 'no close frame reached the peer');
  } finally {
    peer.destroy();
    server.close();
  }
});

test('a clean end: the peer ends, the pipeline finishes, the socket ends without a frame of ours', async () => {
  const { server, port, ended } = await recipeServer(true);
  const peer = await RawPeer.open(port);
  try {
    await peer.write(frame({ opcode: 2, payload: Buffer.from([1, 2, 3]), mask: MASK }));
    assert.equal([...(await peer.readFrame()).payload], [1, 2, 3]);
    peer.end();
    assert.is(await withTimeout(ended, 2000, 'the pipeline to end'), undefined);
    await peer.expectServerClose();
  } finally {
    peer.destroy();
    server.close();
  }
});

test('role is required and checked', () => {
  const socket = new Transform();
  assert.throws(() => new ProtocolSocket(socket, {} as { role: 'server' }), (error: Error) => error instanceof TypeError && /"role"/.test(error.message));
  assert.throws(() => new ProtocolSocket(socket, { role: 'peer' as 'server' }), (error: Error) => error instanceof RangeError && /"role"/.test(error.message));
});

test.run();
