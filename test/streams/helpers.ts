/** Small helpers of the stream tests: settling state, reading chunks, a `ws` client. */
import * as assert from 'uvu/assert';
import type { ReadableStream } from 'node:stream/web';
import type { Test } from 'uvu';
import WebSocket from 'ws';
import type { Connection, ServerOptions } from '../../src/index.js';
import { startListening, type EchoServer } from '../helpers/servers.js';
import { nextEvent, withTimeout } from '../helpers/timeouts.js';

export { throwsDom } from '../helpers/dom-exception.js';

/** What `promise` settles with within `ms`: its value, or the error it rejects with. */
export async function settled<T>(promise: Promise<T>, ms: number, what: string): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return withTimeout(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    ms,
    what,
  );
}

/** The error `promise` rejects with (within `ms`); fails if it resolves. */
export async function rejection(promise: Promise<unknown>, ms: number, what: string): Promise<unknown> {
  const result = await settled(promise, ms, what);
  if (result.ok) assert.unreachable(`${what} should have rejected`);
  return (result as { error: unknown }).error;
}

/** Whether `promise` is still pending after the current macrotask's microtasks and one more turn. */
export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return !done;
}

/** Reads `count` chunks (within `ms`). */
export async function readChunks<T>(readable: ReadableStream<T>, count: number, ms: number): Promise<T[]> {
  const reader = readable.getReader();
  const chunks: T[] = [];
  try {
    while (chunks.length < count) {
      const { value, done } = await withTimeout(reader.read(), ms, `chunk ${chunks.length + 1} of ${count}`);
      if (done) break;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return chunks;
}

export interface WsClient {
  ws: WebSocket;
  /** What it received: strings for text, Buffers for binary. */
  messages: Array<string | Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A `ws` client connected to `url` (within 5 s), recording what it receives. */
export async function wsClient(url: string): Promise<WsClient> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  const messages: Array<string | Buffer> = [];
  ws.on('message', (data, isBinary) => messages.push(isBinary ? (data as Buffer) : (data as Buffer).toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await nextEvent(ws, 'open', 5000);
  return { ws, messages, closed };
}

/**
 * Our servers for one test file (stopped after it): each call starts one on a free port
 * running `handler` on every connection, and gives its URL and the connections so far.
 */
export function serverPool(suite: Test): (handler: (connection: Connection) => void, options?: ServerOptions) => Promise<{ url: string; connections: Connection[] }> {
  const servers: EchoServer[] = [];
  suite.after(async () => {
    for (const server of servers) await server.stop().catch(() => {});
  });
  return async (handler, options = {}) => {
    const connections: Connection[] = [];
    const server = await startListening({ maxBufferedAmount: 1 << 30, ...options }, (connection) => {
      connections.push(connection);
      handler(connection);
    });
    servers.push(server);
    return { url: server.url, connections };
  };
}
