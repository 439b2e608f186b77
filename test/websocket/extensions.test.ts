/**
 * permessage-deflate is offered by default, as browsers and Node's client do (WHATWG
 * WebSockets, "establish a WebSocket connection": a user-agent defined
 * permessage-deflate offer), checked side by side against wspipe's server and `ws`'s.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../src/index.js';
import { guardLeaks, startServer } from '../rx/helpers.js';
import { eventsOf, runOurs, sideBySide } from './probe.js';
import { startWsServer } from './ws-server.js';

guardLeaks(test);

/** Sends 64 KiB of repetitive text and closes once it came back intact. */
const ECHO = {
  onOpen: "ws.send('compress me '.repeat(6000));",
  onMessage: "log({ event: 'echo intact', value: event.data === 'compress me '.repeat(6000) }); ws.close();",
};

test("wspipe's server with perMessageDeflate: both clients offer it, get it, and echo through it", async () => {
  const offers: string[] = [];
  const ts = await startServer(
    (connection: Connection) => {
      offers.push(connection.extensions);
      connection.on('message', (message) => connection.send(message.data));
    },
    { perMessageDeflate: true },
  );
  try {
    const { node, ours } = await sideBySide(ts.url, ECHO);
    for (const records of [node, ours]) {
      assert.is(eventsOf(records, 'open')[0]!.extensions, 'permessage-deflate', JSON.stringify(records));
      assert.equal(eventsOf(records, 'echo intact').map((record) => record.value), [true]);
    }
    assert.equal(offers, ['permessage-deflate', 'permessage-deflate'], 'what the server agreed to, Node first');
  } finally {
    await ts.close();
  }
});

test("a ws server with perMessageDeflate: the same offer as Node's client, and it is accepted", async () => {
  const server = await startWsServer({ perMessageDeflate: true });
  try {
    const { node, ours } = await sideBySide(server.url, ECHO);
    for (const records of [node, ours]) {
      assert.is(eventsOf(records, 'open')[0]!.extensions, 'permessage-deflate', JSON.stringify(records));
      assert.equal(eventsOf(records, 'echo intact').map((record) => record.value), [true]);
    }
    const offered = server.requests.map((headers) => headers['sec-websocket-extensions']);
    assert.equal(offered, ['permessage-deflate; client_max_window_bits', 'permessage-deflate; client_max_window_bits']);
  } finally {
    await server.stop();
  }
});

test('the third argument decides: perMessageDeflate false offers nothing, options are passed on', async () => {
  const server = await startWsServer({ perMessageDeflate: true });
  try {
    const off = await runOurs(server.url, ECHO, { perMessageDeflate: false });
    assert.is(eventsOf(off, 'open')[0]!.extensions, '');
    assert.equal(eventsOf(off, 'echo intact').map((record) => record.value), [true]);
    const tuned = await runOurs(server.url, ECHO, { perMessageDeflate: { serverNoContextTakeover: true } });
    assert.is(eventsOf(tuned, 'open')[0]!.extensions, 'permessage-deflate; server_no_context_takeover');
    assert.equal(
      server.requests.map((headers) => headers['sec-websocket-extensions']),
      [undefined, 'permessage-deflate; server_no_context_takeover; client_max_window_bits'],
    );
  } finally {
    await server.stop();
  }
});

test.run();
