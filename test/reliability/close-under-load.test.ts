/**
 * Closing under load loses nothing: a client sends 100,000 numbered messages and closes,
 * and the server receives every one, in order, before its 'close' event; `server.close()`
 * while the server streams to its clients delivers every message sent before the close frame.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Connection } from '../../src/index.js';
import { closeOf } from '../helpers/servers.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

const COUNT = 100_000;

test('100,000 numbered messages, then close(1000): all received in order before the close event', async () => {
  let next = 0;
  let outOfOrder = -1;
  let countAtClose = -1;
  const closed: Array<Promise<{ code: number; wasClean: boolean }>> = [];
  const server = await startServer((connection) => {
    connection.on('message', (message) => {
      if (Number(message.data) !== next && outOfOrder === -1) outOfOrder = next;
      next++;
    });
    closed.push(
      new Promise((resolve) =>
        connection.once('close', (code, _reason, wasClean) => {
          countAtClose = next;
          resolve({ code, wasClean });
        }),
      ),
    );
  });
  const client = await connect(server.url);
  try {
    for (let i = 0; i < COUNT; i++) {
      if (!client.send(String(i))) await client.drained();
    }
    client.close(1000, 'done');
    const [info] = await withTimeout(Promise.all(closed), 20_000, "the server's close event");
    assert.equal(info, { code: 1000, wasClean: true });
    assert.is(outOfOrder, -1, 'in order');
    assert.is(countAtClose, COUNT, 'every message before the close event');
  } finally {
    client.terminate();
    await server.close();
  }
});

test('server.close() while streaming to 5 clients: each receives every message sent before its close frame, in order, then 1001', async () => {
  const sentBeforeClose = new Map<Connection, number>();
  const senders: Array<Promise<void>> = [];
  let closing = false;
  const server = await startServer((connection) => {
    senders.push(
      (async () => {
        let sent = 0;
        connection.once('closing', () => sentBeforeClose.set(connection, sent));
        while (!closing && connection.readyState === 1) {
          connection.send(`${sent++}`);
          if (connection.bufferedAmount > 64 * 1024) await connection.drained().catch(() => {});
          if (sent % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    );
  });
  const received = Array.from({ length: 5 }, () => ({ count: 0, ordered: true }));
  // Each listener goes on as its connection resolves, before its first message can arrive.
  const clients = await Promise.all(
    received.map((entry) =>
      connect(server.url).then((client) => {
        client.on('message', (message) => {
          if (Number(message.data) !== entry.count) entry.ordered = false;
          entry.count++;
        });
        return client;
      }),
    ),
  );
  try {
    await eventually(() => received.every((entry) => entry.count > 2000), 10_000, 'the streams to be under way');
    const clientCloses = clients.map((client) => closeOf(client, 20_000));
    const serverConnections = [...server.server.connections];
    closing = true;
    await withTimeout(server.close(), 20_000, 'server.close()');
    await Promise.all(senders);
    const infos = await Promise.all(clientCloses);
    for (const [index, info] of infos.entries()) {
      assert.equal(info, { code: 1001, reason: 'server shutting down', wasClean: true });
      assert.ok(received[index]!.ordered, 'in order');
    }
    // The client that went with each server connection received exactly what it sent before closing.
    const sent = serverConnections.map((connection) => sentBeforeClose.get(connection)).sort((a, b) => a! - b!);
    assert.equal(received.map((entry) => entry.count).sort((a, b) => a - b), sent);
  } finally {
    for (const client of clients) client.terminate();
  }
});

test.run();
