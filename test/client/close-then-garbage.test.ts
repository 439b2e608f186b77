/**
 * Nothing after a close frame is processed (RFC 6455 §5.5.1): a server that sends its close
 * frame and, in the same write, bytes that are no valid frame, is answered with its own
 * code, and our client reports that code cleanly — not a 1002 for the bytes it never had
 * to read. The server is written by hand over node:net: the bytes are the point.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../src/index.js';
import { frame } from '../helpers/frames.js';
import { closeOf } from '../helpers/servers.js';
import { withTimeout } from '../helpers/timeouts.js';
import { startRawServer } from '../websocket/raw-server.js';

/** A close frame 4001 "bye" from the server (unmasked). */
const CLOSE = frame({ opcode: 0x8, payload: Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye')]) });

const GARBAGE: ReadonlyArray<{ what: string; bytes: Buffer }> = [
  { what: 'a frame with a reserved opcode', bytes: Buffer.from([0x83, 0x02, 0xff, 0xff]) },
  { what: 'a text frame of invalid UTF-8', bytes: frame({ opcode: 0x1, payload: Buffer.from([0xc3, 0x28]) }) },
  { what: 'a masked frame (servers never mask)', bytes: frame({ opcode: 0x2, payload: 'x', mask: [1, 2, 3, 4] }) },
  { what: 'random bytes', bytes: Buffer.from('\u00ff\u00fe GET / HTTP/1.1\r\n', 'latin1') },
];

for (const { what, bytes } of GARBAGE) {
  test(`a close frame followed by ${what} in one write: the client answers 4001 and reports 4001 "bye" cleanly, no 1002`, async () => {
    let answered: Promise<{ code: number | undefined; reason: string } | null> | undefined;
    const server = await startRawServer((peer) => {
      peer.write(Buffer.concat([CLOSE, bytes]));
      answered = peer.readClose();
      return answered.then(() => {});
    });
    const client = await connect(server.url);
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    try {
      const closed = await closeOf(client);
      assert.equal(closed, { code: 4001, reason: 'bye', wasClean: true });
      const reply = await withTimeout(answered!, 5000, "the client's close frame");
      assert.is(reply?.code, 4001, "the client's close frame echoes the server's code");
      assert.equal(errors, []);
      assert.equal(client.closeInfo?.remote, { code: 4001, reason: 'bye' });
      assert.is(client.closeInfo?.error, null);
    } finally {
      client.terminate();
      await server.stop();
    }
  });
}

test.run();
