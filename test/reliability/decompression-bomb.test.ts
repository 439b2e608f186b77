/**
 * A decompression bomb (256 MiB of zeros deflated into a quarter of a megabyte) sent by one
 * peer while others stream compressed messages: the bomb's connection fails with 1009 as
 * soon as its inflated size passes maxPayload, the server's memory does not grow by the
 * bomb, and the other connections go on being served.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Connection } from '../../src/index.js';
import { zeroBomb } from '../deflate/helpers.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf } from '../helpers/servers.js';
import { delay, eventually } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

test("a 256 MiB bomb against maxPayload 1 MiB fails with 1009 without the server's memory growing by it, while three compressing clients keep streaming", async () => {
  const connections: Connection[] = [];
  const server = await startServer(
    (connection) => {
      connections.push(connection);
      connection.on('message', (message) => connection.send(message.data));
    },
    { perMessageDeflate: true, maxPayload: 1 << 20 },
  );
  const port = (server.server.address() as { port: number }).port;
  const url = `ws://127.0.0.1:${port}/`;
  const clients = await Promise.all([1, 2, 3].map(() => connect(url, { perMessageDeflate: true })));
  const echoed = [0, 0, 0];
  let streaming = true;
  const streams = clients.map(async (client, index) => {
    client.on('message', () => echoed[index]!++);
    while (streaming && client.readyState === 1) {
      client.send(JSON.stringify({ index, text: 'a compressible sentence, '.repeat(200) }));
      await delay(2);
    }
  });
  const bomber = await RawPeer.open(port, { spec: { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } } });
  let peakArrayBuffers = 0;
  const sampler = setInterval(() => (peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers)), 1);
  try {
    const bomb = (await zeroBomb(1)).subarray(0, 256 * 1024);
    await eventually(() => echoed.every((count) => count > 5), 5000, 'the clients to stream');
    const before = echoed.slice();
    const baseline = process.memoryUsage().arrayBuffers;
    const closed = closeOf(connections[3]!, 10_000);
    await bomber.write(frame({ opcode: 0x2, rsv1: true, payload: bomb, mask: MASK }));
    const { code } = await closed;
    assert.is(code, 1009);
    await eventually(() => echoed.every((count, index) => count > before[index]! + 5), 5000, 'the others to go on');
    assert.ok(peakArrayBuffers - baseline < 32 << 20, `the server's buffers grew by at most ${((peakArrayBuffers - baseline) / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    streaming = false;
    clearInterval(sampler);
    await Promise.all(streams);
    for (const client of clients) client.terminate();
    bomber.destroy();
    await server.close();
  }
});

test.run();
