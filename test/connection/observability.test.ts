import { test } from 'uvu';
import * as assert from 'uvu/assert';
import diagnostics from 'node:diagnostics_channel';
import { execFile } from 'node:child_process';
import { CHANNEL_NAMES } from '../../src/index.js';
import { openPair, once, delay } from '../helpers/pair.js';

test('heartbeat: pings on an interval, measures the round trip', async () => {
  const pair = await openPair({ heartbeat: { interval: 30 } });
  const pinged = once<[Buffer]>(pair.client, 'ping');
  await pinged;
  await delay(40);
  const rtt = pair.serverSide.roundTripTime;
  assert.type(rtt, 'number');
  assert.ok(rtt! >= 0 && rtt! < 1000);
  await pair.close();
});

test('heartbeat: a peer that does not pong is terminated with a reason', async () => {
  const pair = await openPair({ heartbeat: { interval: 30, timeout: 30 } }, { autoPong: false });
  const [code, reason, wasClean] = await once<[number, string, boolean]>(pair.serverSide, 'close');
  assert.is(code, 1006);
  assert.match(reason, /heartbeat/);
  assert.is(wasClean, false);
  await pair.close();
});

test('autoPong answers pings with the same payload; both are visible as events', async () => {
  const pair = await openPair();
  const ping = once<[Buffer]>(pair.serverSide, 'ping');
  const pong = once<[Buffer]>(pair.client, 'pong');
  pair.client.ping('are you there');
  assert.is((await ping)[0].toString(), 'are you there');
  assert.is((await pong)[0].toString(), 'are you there');
  assert.throws(() => pair.client.ping(Buffer.alloc(126)), /at most 125/);
  await pair.close();
});

test('counters count wire bytes and messages both ways', async () => {
  const pair = await openPair();
  const got = once(pair.serverSide, 'message');
  pair.client.send('12345');
  await got;
  assert.is(pair.client.counters.messagesOut, 1);
  assert.is(pair.client.counters.bytesOut, 2 + 4 + 5, 'header + mask key + payload');
  assert.is(pair.serverSide.counters.messagesIn, 1);
  assert.is(pair.serverSide.counters.bytesIn, 11);
  await pair.close();
});

test('diagnostics_channel publishes open, ping, pong, error and close', async () => {
  const seen: string[] = [];
  const subscribers = Object.entries(CHANNEL_NAMES).map(([event, name]) => {
    const subscriber = (): void => {
      seen.push(event);
    };
    diagnostics.subscribe(name, subscriber);
    return () => diagnostics.unsubscribe(name, subscriber);
  });
  try {
    const pair = await openPair();
    const pong = once(pair.client, 'pong');
    pair.client.ping();
    await pong;
    const closed = once(pair.serverSide, 'close');
    const { socket } = pair.client as unknown as { socket: { write(b: Buffer): void } };
    socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0])); // reserved opcode 3 → 1002
    await closed;
    await pair.close();
    for (const event of ['open', 'ping', 'pong', 'error', 'close']) assert.ok(seen.includes(event), `${event} published`);
  } finally {
    for (const unsubscribe of subscribers) unsubscribe();
  }
});

test('the custom-stages example runs: a logging and a metrics stage in the chains', async () => {
  const output = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', 'examples/custom-stages.ts'], { timeout: 20_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  assert.match(output, /server received: text part, 4 bytes, last/);
  assert.match(output, /client got: \{"type":"text","data":"HELLO STAGES"\}/);
  assert.match(output, /server sent 2 frames, 14 payload bytes/);
});

test('custom stages: an unknown position is refused up front with the list of stages', async () => {
  const { Transform } = await import('node:stream');
  const { createServer } = await import('../../src/index.js');
  assert.throws(
    () => createServer({ noServer: true, stages: { decode: [{ after: 'Nope' as 'Unmasker', create: () => new Transform({ objectMode: true }) }] } }),
    /"stages\.decode\[0\]\.after" option must name a stage: HeaderParser, Unmasker, Defragmenter, MessageDecoder, MessageStreamer\. Received "Nope"/,
  );
});

test.run();
