/**
 * Automatic pongs are bounded: a peer that floods pings and never reads cannot grow the
 * server's send buffer. Past the socket's high-water mark only the latest ping is kept and
 * answered on 'drain' (RFC 6455 §5.5.3). Other clients are served meanwhile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Connection } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { eventually } from '../helpers/timeouts.js';
import { echo, guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

const PINGS = 60_000;

function ping(sequence: number): Buffer {
  const payload = Buffer.alloc(125, 0x2e);
  payload.writeUInt32BE(sequence, 0);
  return frame({ opcode: 0x9, payload, mask: MASK });
}

test('60,000 pings of 125 bytes from a peer that does not read: the send buffer stays under 64 KiB, the latest is answered last', async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => {
    connections.push(connection);
    echo(connection);
  });
  const port = (server.server.address() as { port: number }).port;
  const flooder = await RawPeer.open(port);
  const other = await connect(`ws://127.0.0.1:${port}/`);
  let maxBuffered = 0;
  const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, connections[0]!.bufferedAmount)), 2);
  try {
    flooder.socket.pause(); // never reads: the server's pongs pile up in the kernel, then in the server
    for (let sent = 0; sent < PINGS; sent += 1000) {
      await flooder.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => ping(sent + i + 1))));
    }
    // Meanwhile another client is served.
    const echoed = new Promise<string>((resolve) => other.once('message', (message) => resolve(String(message.data))));
    other.send('still here');
    assert.is(await echoed, 'still here');
    await eventually(() => connections[0]!.counters.bytesIn >= PINGS * 131, 10_000, 'the server to read every ping');
    assert.ok(maxBuffered < 64 * 1024, `the server buffered at most ${maxBuffered} bytes`);
    // Reading again, the peer gets far fewer pongs than pings, and the last one is the latest ping's.
    flooder.socket.resume();
    let pongs = 0;
    let last = 0;
    while (last !== PINGS) {
      const next = await flooder.readFrame(5000);
      assert.is(next.opcode, 0xa);
      pongs++;
      const sequence = next.payload.readUInt32BE(0);
      assert.ok(sequence > last, 'pongs in the order of their pings');
      last = sequence;
    }
    assert.ok(pongs < PINGS, `${pongs} pongs for ${PINGS} pings`);
  } finally {
    clearInterval(sampler);
    flooder.destroy();
    other.terminate();
    await server.close();
  }
});

test.run();
