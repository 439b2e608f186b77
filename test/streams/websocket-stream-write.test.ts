/**
 * WebSocketStream, sending: what a chunk becomes (text, binary copied, other values as
 * strings, what WebIDL refuses), and send backpressure — a write resolves once its frame
 * was handed to the operating system, so against a server that does not read, writes
 * stall and the writable's desired size goes negative (web-platform tests
 * websockets/stream/tentative/write.any.js and backpressure-send.any.js), against our
 * server and against `ws`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebSocketStreamConnectOptions } from '../../src/index.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { isPending, readChunks, rejection } from './helpers.js';
import { openStream, peerPool, type PeerKind } from './peers.js';

const peer = peerPool(test);

const MiB = 1 << 20;

const open = async (kind: PeerKind, path: string, options: WebSocketStreamConnectOptions = {}): ReturnType<typeof openStream> =>
  openStream(await peer(kind), path, options);

for (const kind of ['wspipe', 'ws'] as const) {
  test(`${kind}: a string is a text message, bytes a binary one; the readable gives strings and Uint8Arrays`, async () => {
    const { wss, readable, writable } = await open(kind, '/echo');
    const writer = writable.getWriter();
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    await writer.write('héllo');
    await writer.write(bytes);
    await writer.write(bytes.buffer);
    await writer.write(new DataView(bytes.buffer, 1, 2));
    await writer.write(Buffer.from('buf'));
    await writer.write(new Uint16Array([0x0102]));
    const chunks = await readChunks(readable, 6, 5000);
    assert.is(chunks[0], 'héllo');
    for (const chunk of chunks.slice(1)) {
      assert.instance(chunk, Uint8Array);
      assert.is((chunk as Uint8Array).constructor, Uint8Array, 'a plain Uint8Array, not a Buffer');
    }
    assert.equal(chunks.slice(1).map((chunk) => [...(chunk as Uint8Array)]), [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [2, 3], [...Buffer.from('buf')], [...new Uint8Array(new Uint16Array([0x0102]).buffer)]]);
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });

  test(`${kind}: the bytes are copied when the write is processed: a change afterwards changes nothing`, async () => {
    const { wss, server, writable } = await open(kind, '/echo');
    const writer = writable.getWriter();
    const bytes = new Uint8Array(1 << 16).fill(1);
    const first = writer.write(bytes); // processed at once: copied now
    const second = writer.write(bytes); // queued behind the first: copied when its turn comes
    bytes.fill(2);
    await Promise.all([first, second]);
    bytes.fill(3);
    await eventually(() => server.received.length === 2, 5000, 'both messages at the server');
    assert.ok((server.received[0] as Buffer).every((byte) => byte === 1));
    assert.ok((server.received[1] as Buffer).every((byte) => byte === 2));
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });

  test(`${kind}: other values are sent as their strings (WebIDL USVString); what cannot be one fails the write`, async () => {
    const { wss, server, writable } = await open(kind, '/echo');
    const writer = writable.getWriter();
    await writer.write(123 as unknown as string);
    await writer.write({ toString: () => 'object' } as unknown as string);
    await writer.write('lone \ud800 surrogate');
    await writer.write(new SharedArrayBuffer(4) as unknown as ArrayBuffer);
    await eventually(() => server.received.length === 4, 5000, 'the messages at the server');
    assert.equal(server.received, ['123', 'object', 'lone \ufffd surrogate', '[object SharedArrayBuffer]']);
    const error = await rejection(writer.write({ toString() { return this; } } as unknown as string), 1000, 'a write of what cannot be a string');
    assert.instance(error, TypeError);
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });

  test(`${kind}: a resizable ArrayBuffer and a view on a SharedArrayBuffer are refused (TypeError)`, async () => {
    for (const chunk of [resizableBuffer(1024, 65536), new Uint8Array(new SharedArrayBuffer(16))]) {
      const { wss, writable } = await open(kind, '/echo');
      assert.instance(await rejection(writable.getWriter().write(chunk), 1000, 'the write'), TypeError);
      wss.close();
      await withTimeout(wss.closed, 5000, 'closed');
    }
  });

  test(`${kind}: send backpressure: while the server does not read, a big write stays pending and the desired size is negative`, async () => {
    const { wss, server, writable } = await open(kind, '/hold', { writableHighWaterMark: MiB });
    const writer = writable.getWriter();
    assert.is(writer.desiredSize, MiB);
    const size = 64 * MiB; // more than the kernel buffers of both ends on loopback
    const writing = writer.write(new Uint8Array(size).fill(3));
    const next = writer.write('after');
    assert.is(writer.desiredSize, MiB - size - 'after'.length, 'what has not left counts against the high-water mark');
    assert.ok(await isPending(writer.ready));
    // Give the kernel every chance to take it all: it cannot, so the write stays pending.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(await isPending(writing), 'the first write waits for the operating system');
    assert.is(server.received.length, 0);
    server.resumeReading();
    await withTimeout(Promise.all([writing, next]), 10000, 'the writes once the server reads');
    assert.is(writer.desiredSize, MiB);
    await eventually(() => server.received.length === 2, 5000, 'both messages at the server');
    assert.is((server.received[0] as Buffer).length, size);
    assert.is(server.received[1], 'after');
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });

  test(`${kind}: many small writes through pipeTo arrive whole and in order`, async () => {
    const { wss, server, writable } = await open(kind, '/echo');
    const { ReadableStream } = await import('node:stream/web');
    const count = 2000;
    let sent = 0;
    const source = new ReadableStream<string>({
      pull(controller) {
        if (sent === count) controller.close();
        else controller.enqueue(`message ${sent++}`);
      },
    });
    await withTimeout(source.pipeTo(writable), 10000, 'pipeTo');
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
    assert.is(server.received.length, count);
    assert.ok(server.received.every((message, index) => message === `message ${index}`));
  });
}

/** An ES2024 resizable ArrayBuffer (Node 20 has them; the ES2023 typings do not). */
function resizableBuffer(length: number, maxByteLength: number): ArrayBuffer {
  return new (ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer)(length, { maxByteLength });
}

test.run();
