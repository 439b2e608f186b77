/**
 * Published frames keep their place among a connection's own messages: never inside a
 * streamed message in progress, never ahead of a message still in the compressor.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection, ServerOptions } from '../../src/index.js';
import { nextConnection, startListening } from '../helpers/servers.js';
import { delay } from '../helpers/timeouts.js';
import { Opened, openRecorders, received, type Recorder } from './clients.js';

const opened = new Opened();
test.after.each(opened.stop);

async function oneSubscriber(options: ServerOptions, clientDeflate: boolean): Promise<{ connection: Connection; client: Recorder }> {
  opened.server = await startListening(options, (connection) => connection.subscribe('t'));
  const accepted = nextConnection(opened.server.server);
  opened.clients = await openRecorders(opened.server.url, 1, clientDeflate ? { perMessageDeflate: { serverNoContextTakeover: true } } : {});
  return { connection: await accepted, client: opened.clients[0]! };
}

test('a message published while the connection streams one of its own goes after it, whole', async () => {
  const { connection, client } = await oneSubscriber({}, false);
  async function* slowly(): AsyncGenerator<string> {
    for (let i = 0; i < 5; i++) {
      yield `part ${i};`;
      await delay(5);
    }
  }
  const streamed = connection.sendStream(slowly(), { binary: false });
  await delay(8);
  assert.is(opened.server!.server.publish('t', 'published mid-stream'), 1);
  connection.send('own, after');
  await streamed;
  await received(opened.clients, 3);
  assert.equal(client.received, ['t:part 0;part 1;part 2;part 3;part 4;', 't:published mid-stream', 't:own, after']);
});

test('a message published while zlib still compresses an earlier one of the connection goes after it', async () => {
  const { connection, client } = await oneSubscriber({ perMessageDeflate: true, maxBackpressure: 64 << 20 }, true);
  assert.match(connection.extensions, /server_no_context_takeover/);
  const big = 'compress me, slowly: '.repeat(50_000);
  const expected: string[] = [];
  for (let i = 0; i < 5; i++) {
    connection.send(`${i} ${big}`);
    // The shared frame is ready at once; the connection's own message is still in zlib.
    assert.is(opened.server!.server.publish('t', `published ${i} ${big}`), 1);
    assert.is(opened.server!.server.publish('t', `published small ${i}`), 1);
    connection.send(`own small ${i}`);
    expected.push(`t:${i} ${big}`, `t:published ${i} ${big}`, `t:published small ${i}`, `t:own small ${i}`);
  }
  await received(opened.clients, expected.length);
  assert.equal(client.received.map((text) => text.slice(0, 40)), expected.map((text) => text.slice(0, 40)));
  assert.equal(client.received, expected);
});

test.run();
