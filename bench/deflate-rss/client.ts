/**
 * The deflate RSS benchmark's client, in its own process, forked by bench/deflate-rss/run.ts
 * with an IPC channel: `node --import tsx bench/deflate-rss/client.ts`.
 *
 * `{ type: 'open', ... }`: opens `connections` raw sockets to the server (at most
 * `OPEN_BATCH` handshakes at a time, so the listen backlog never overflows), each with
 * the permessage-deflate offer of `offer`; then every connection, all at once, sends
 * `messages` JSON-like text messages one after the other, each after the echo of the one
 * before. So the server inflates and compresses on every connection: both of its zlib
 * contexts exist and have been used. The echoes are counted, not inflated, except on the
 * first connection, whose echoes are inflated (with one persistent inflater: the server
 * may keep context takeover) and compared with what was sent. Replies `{ type: 'opened' }`.
 *
 * Offers: `browser` (`permessage-deflate; client_max_window_bits`, context takeover both
 * ways; the messages are compressed once, in sequence, by one compressor, which is valid
 * for every connection because every connection sends them in the same order from a fresh
 * window), `no-context` (also `client_no_context_takeover` and `server_no_context_takeover`:
 * each message compressed alone), `none` (no offer: plain text frames).
 *
 * `{ type: 'close' }`: destroys every socket and replies `{ type: 'closed' }`.
 */
import type { Socket } from 'node:net';
import { compressAlone, compressedTextFrame, compressInSequence, jsonMessage, MessageCounter, MessageInflater, OFFER_BROWSER, type ReceivedMessage } from '../echo/deflate-frames.js';
import { maskedFrame } from '../echo/frames.js';
import { open } from '../echo/open.js';

export type Offer = 'browser' | 'no-context' | 'none';

export interface OpenRequest {
  port: number;
  connections: number;
  offer: Offer;
  /** Payload bytes of each message. */
  size: number;
  /** Messages each connection sends (one at a time). */
  messages: number;
}

export interface OpenResult {
  /** Time to open every connection, and for every connection to exchange its messages. */
  openMs: number;
  exchangeMs: number;
  /** The Sec-WebSocket-Extensions the server agreed (first connection). */
  agreed: string;
  /** Share of the echoes the server compressed (RSV1). */
  compressedShare: number;
  /** Client → server bytes per message. */
  sentBytesPerMessage: number;
}

export type RssClientRequest = ({ type: 'open' } & OpenRequest) | { type: 'close' };
export type RssClientMessage = { type: 'opened'; result: OpenResult } | { type: 'closed' } | { type: 'error'; message: string };

const OPEN_BATCH = 100;
const OFFER_NO_CONTEXT = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits';
const EXCHANGE_TIMEOUT_MS = 30_000;

let sockets: Socket[] = [];

function post(message: RssClientMessage): void {
  process.send!(message);
}

async function frames(request: OpenRequest): Promise<{ payloads: Buffer[]; frames: Buffer[] }> {
  const payloads = Array.from({ length: request.messages }, (_, index) => jsonMessage(request.size, index + 1));
  if (request.offer === 'none') return { payloads, frames: payloads.map((payload) => maskedFrame(0x81, payload)) };
  const compressed = request.offer === 'browser' ? await compressInSequence(payloads) : payloads.map(compressAlone);
  return { payloads, frames: compressed.map(compressedTextFrame) };
}

async function openAll(request: OpenRequest): Promise<OpenResult> {
  const { payloads, frames: wire } = await frames(request);
  const extensions = request.offer === 'browser' ? OFFER_BROWSER : request.offer === 'no-context' ? OFFER_NO_CONTEXT : undefined;
  const began = performance.now();
  const opened: Array<{ socket: Socket; rest: Buffer; agreed: string }> = [];
  try {
    for (let start = 0; start < request.connections; start += OPEN_BATCH) {
      const batch = Array.from({ length: Math.min(OPEN_BATCH, request.connections - start) }, () => open(request.port, extensions));
      const settled = await Promise.allSettled(batch);
      for (const outcome of settled) if (outcome.status === 'fulfilled') opened.push(outcome.value);
      const refused = settled.find((outcome) => outcome.status === 'rejected');
      if (refused) throw (refused as PromiseRejectedResult).reason;
    }
  } catch (error) {
    for (const { socket } of opened) socket.destroy();
    throw error;
  }
  sockets = opened.map(({ socket }) => socket);
  const openMs = performance.now() - began;

  // Every connection sends its messages one at a time; the first one also keeps the echoes.
  const exchangeBegan = performance.now();
  let compressed = 0;
  const firstEchoes: ReceivedMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    let pending = opened.length;
    const timer = setTimeout(() => reject(new Error(`${pending} connections had not finished within ${EXCHANGE_TIMEOUT_MS} ms`)), EXCHANGE_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    opened.forEach(({ socket, rest }, index) => {
      let sent = 1;
      const counter = new MessageCounter(
        (messages) => {
          if (counter.messages >= request.messages) {
            compressed += counter.compressed;
            socket.off('data', onData);
            if (--pending === 0) {
              clearTimeout(timer);
              resolve();
            }
            return;
          }
          // One message at a time: the next goes once the previous one is echoed.
          for (let i = 0; i < messages && sent < request.messages; i++) socket.write(wire[sent++]!);
        },
        fail,
        index === 0 ? (message) => firstEchoes.push(message) : null,
      );
      const onData = (chunk: Buffer): void => counter.accept(chunk);
      socket.on('data', onData);
      socket.on('error', fail);
      socket.on('close', () => {
        if (counter.messages < request.messages) fail(new Error('The server closed a connection during the exchange'));
      });
      if (rest.length > 0) counter.accept(rest);
      socket.resume();
      socket.write(wire[0]!);
    });
  });
  const exchangeMs = performance.now() - exchangeBegan;

  const inflater = new MessageInflater();
  try {
    for (let i = 0; i < firstEchoes.length; i++) {
      const message = firstEchoes[i]!;
      const text = message.compressed ? await inflater.inflate(message.payload) : message.payload;
      if (!text.equals(payloads[i]!)) throw new Error(`Echo ${i + 1} of the first connection differs from the message sent`);
    }
  } finally {
    inflater.close();
  }
  return {
    openMs,
    exchangeMs,
    agreed: opened[0]?.agreed ?? '',
    compressedShare: compressed / (opened.length * request.messages),
    sentBytesPerMessage: wire.reduce((sum, frame) => sum + frame.length, 0) / wire.length,
  };
}

async function closeAll(): Promise<void> {
  const closing = sockets.map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(null) : socket.once('close', resolve))));
  for (const socket of sockets) {
    socket.removeAllListeners('error');
    socket.on('error', () => {});
    socket.destroy();
  }
  sockets = [];
  await Promise.all(closing);
}

process.on('message', (request: RssClientRequest) => {
  if (request.type === 'open') {
    openAll(request).then(
      (result) => post({ type: 'opened', result }),
      (error: Error) => post({ type: 'error', message: error.message }),
    );
  } else if (request.type === 'close') {
    closeAll().then(
      () => post({ type: 'closed' }),
      (error: Error) => post({ type: 'error', message: error.message }),
    );
  }
});
process.on('disconnect', () => process.exit(0));
