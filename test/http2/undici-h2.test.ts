/**
 * undici 7's WebSocket client (experimental over HTTP/2: an Agent with `allowH2`) against
 * our server over h2. undici sends a Sec-WebSocket-Key on HTTP/2 and fails the handshake
 * unless the 200 carries the matching Sec-WebSocket-Accept, which RFC 8441 §5 leaves out;
 * our server answers a key it is sent, and only then (test/handshake/extended-connect.test.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent, WebSocket as UndiciWebSocket } from 'undici';
import { startH2Site } from '../helpers/h2.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();
const test = suite('undici WebSocket over HTTP/2');

test('undici opens its WebSocket as an extended CONNECT stream; text and binary echo, subprotocol, clean close', async () => {
  const h2 = await startH2Site({ wss: { perMessageDeflate: true } });
  const dispatcher = new Agent({ allowH2: true, connect: { ca: pki.ca } });
  try {
    const open = (): Promise<UndiciWebSocket> =>
      withTimeout(
        new Promise<UndiciWebSocket>((resolve, reject) => {
          const ws = new UndiciWebSocket(h2.url, { dispatcher, protocols: ['chat'] });
          ws.binaryType = 'arraybuffer';
          ws.onopen = () => resolve(ws);
          ws.onerror = (event) => reject(new Error(`undici failed: ${String((event as { message?: string }).message)}`));
        }),
        10_000,
        'undici to open',
      );
    const sockets = [await open(), await open()];
    const replies = await Promise.all(
      sockets.map(
        (ws, index) =>
          new Promise<unknown[]>((resolve) => {
            const got: unknown[] = [];
            ws.onmessage = (event) => {
              got.push(typeof event.data === 'string' ? event.data : Buffer.from(event.data as ArrayBuffer).toString('hex'));
              if (got.length === 2) resolve(got);
            };
            ws.send(`hello ${index}`);
            ws.send(new Uint8Array([index, 1, 2, 3]));
          }),
      ),
    );
    assert.equal(replies, [
      ['hello 0', '00010203'],
      ['hello 1', '01010203'],
    ]);
    assert.equal(sockets.map((ws) => ws.protocol), ['chat', 'chat']);
    assert.equal(h2.connections.map((connection) => connection.transport), ['h2', 'h2']);
    // undici's pool put the second socket on an HTTP/2 session of its own (2 sessions here):
    // how undici pools is not ours to assert.
    assert.ok(h2.sessions.length >= 1, 'the sockets came over HTTP/2 sessions');
    const closes = sockets.map((ws) => new Promise<{ code: number; wasClean: boolean }>((resolve) => (ws.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean }))));
    for (const ws of sockets) ws.close(1000);
    assert.equal(await withTimeout(Promise.all(closes), 5000, 'undici to close'), [
      { code: 1000, wasClean: true },
      { code: 1000, wasClean: true },
    ]);
    await eventually(() => h2.connections.every((connection) => connection.readyState === 3), 5000, 'the server sides to close');
  } finally {
    await dispatcher.destroy().catch(() => {});
    await h2.stop();
  }
});

test.run();
