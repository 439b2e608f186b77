/**
 * The soak's load, in its own process (forked by run.ts): SOAK_CONNECTIONS sessions at any
 * time, half of them wspipe clients and half `ws` clients, some with permessage-deflate.
 * Each session lives 5–60 s, then waits for its last echo and closes with 1000; a new one
 * takes its place. Meanwhile it sends messages one at a time (a pause of up to SOAK_PACE_MS
 * between them): 0 bytes to 1 MiB, text and binary, compressible or not, some compressed,
 * some fragmented (wspipe: `fragmentSize` or `sendStream`; ws: `fin: false` sends), and a
 * ping every few seconds; every echo must equal what was sent, in order.
 *
 * IPC: `{ type: 'progress' }` → `{ type: 'progress', counters }`; `{ type: 'stop' }` lets the
 * sessions finish and answers `{ type: 'stopped', counters }`.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { WebSocket as WsClient } from 'ws';
import { connect, type Connection } from '../../src/index.js';
import { Rng } from '../../test/helpers/rng.js';

export interface SoakCounters {
  sessions: number;
  cleanCloses: number;
  uncleanCloses: number;
  sent: number;
  echoed: number;
  bytes: number;
  lost: number;
  mismatched: number;
  pings: number;
  pongs: number;
  errors: string[];
}

export type SoakClientRequest = { type: 'start'; port: number; connections: number; paceMs: number; seed: number } | { type: 'progress' } | { type: 'stop' };
export type SoakClientReply = { type: 'progress'; counters: SoakCounters } | { type: 'stopped'; counters: SoakCounters };

const counters: SoakCounters = { sessions: 0, cleanCloses: 0, uncleanCloses: 0, sent: 0, echoed: 0, bytes: 0, lost: 0, mismatched: 0, pings: 0, pongs: 0, errors: [] };
let stopping = false;

function error(text: string): void {
  if (counters.errors.length < 20) counters.errors.push(text);
}

function size(rng: Rng): number {
  const kind = rng.weighted({ empty: 5, small: 55, medium: 30, large: 10 });
  if (kind === 'empty') return 0;
  if (kind === 'small') return rng.int(1, 1024);
  if (kind === 'medium') return rng.int(1025, 64 * 1024);
  return rng.int(64 * 1024 + 1, 1024 * 1024);
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'échange', 'μήνυμα', 'сообщение', '消息', '🚀', 'frame', 'payload'];

function message(rng: Rng): { data: string | Buffer; text: boolean } {
  const bytes = size(rng);
  const text = rng.chance(0.5);
  const compressible = rng.chance(0.6);
  if (text) {
    if (!compressible) return { data: randomBytes(Math.ceil(bytes / 2)).toString('base64').slice(0, bytes), text };
    const parts: string[] = [];
    let length = 0;
    while (length < bytes) {
      const word = rng.pick(WORDS);
      parts.push(word);
      length += Buffer.byteLength(word) + 1;
    }
    return { data: parts.join(' '), text };
  }
  return { data: compressible ? Buffer.alloc(bytes, rng.int(0, 255)) : randomBytes(bytes), text };
}

function same(a: string | Buffer, b: string | Buffer): boolean {
  return typeof a === 'string' ? a === b : Buffer.isBuffer(b) && a.equals(b);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a session needs of its client, wspipe's or ws's. */
interface Peer {
  send(data: string | Buffer, rng: Rng): Promise<void>;
  ping(): void;
  close(): void;
  onMessage(listener: (data: string | Buffer) => void): void;
  onPong(listener: () => void): void;
  closed: Promise<{ code: number; clean: boolean }>;
}

async function wspipePeer(url: string, rng: Rng): Promise<Peer> {
  const deflate = rng.chance(0.5);
  const connection: Connection = await connect(url, { perMessageDeflate: deflate, ...(rng.chance(0.3) && { fragmentSize: 16 * 1024 }) });
  const closed = new Promise<{ code: number; clean: boolean }>((resolve) => connection.once('close', (code, _reason, clean) => resolve({ code, clean })));
  connection.on('error', () => {});
  return {
    async send(data, rng) {
      const compress = rng.chance(0.8);
      if (Buffer.byteLength(data) > 4096 && rng.chance(0.2)) {
        // A message from a stream: one frame per chunk.
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += 7000) chunks.push(bytes.subarray(at, at + 7000));
        await connection.sendStream(Readable.from(chunks), { binary: typeof data !== 'string', compress });
        return;
      }
      if (!connection.send(data, { compress })) await connection.drained();
    },
    ping: () => connection.ping('soak'),
    close: () => connection.close(1000, 'session over'),
    onMessage: (listener) => connection.on('message', (message) => listener(message.data as string | Buffer)),
    onPong: (listener) => connection.on('pong', listener),
    closed,
  };
}

async function wsPeer(url: string, rng: Rng): Promise<Peer> {
  const ws = new WsClient(url, { perMessageDeflate: rng.chance(0.5) });
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const closed = new Promise<{ code: number; clean: boolean }>((resolve) => ws.once('close', (code) => resolve({ code, clean: code === 1000 })));
  ws.on('error', () => {});
  return {
    async send(data, rng) {
      const compress = rng.chance(0.8);
      const binary = typeof data !== 'string';
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (bytes.length > 1024 && rng.chance(0.3)) {
        // Fragments: ws sends each `fin: false` call as a frame of one message.
        const step = Math.ceil(bytes.length / rng.int(2, 4));
        for (let at = 0; at < bytes.length; at += step) {
          await new Promise<void>((resolve, reject) => ws.send(bytes.subarray(at, at + step), { binary, compress, fin: at + step >= bytes.length }, (error) => (error ? reject(error) : resolve())));
        }
        return;
      }
      await new Promise<void>((resolve, reject) => ws.send(data, { binary, compress }, (error) => (error ? reject(error) : resolve())));
    },
    ping: () => ws.ping('soak'),
    close: () => ws.close(1000, 'session over'),
    onMessage: (listener) => ws.on('message', (data, isBinary) => listener(isBinary ? (data as Buffer) : (data as Buffer).toString('utf8'))),
    onPong: (listener) => ws.on('pong', listener),
    closed,
  };
}

async function session(url: string, rng: Rng, paceMs: number): Promise<void> {
  counters.sessions++;
  const peer = await (rng.chance(0.5) ? wspipePeer(url, rng) : wsPeer(url, rng));
  const pending: Array<string | Buffer> = [];
  let waiter: (() => void) | null = null;
  peer.onMessage((data) => {
    const expected = pending.shift();
    if (expected === undefined || !same(expected, data)) {
      counters.mismatched++;
      error(`an echo that was not the next message sent (${typeof data} of ${Buffer.byteLength(data)} bytes)`);
    } else {
      counters.echoed++;
      counters.bytes += Buffer.byteLength(data);
    }
    waiter?.();
  });
  peer.onPong(() => counters.pongs++);
  const ends = Date.now() + rng.int(5_000, 60_000);
  let nextPing = Date.now() + rng.int(1000, 5000);
  while (!stopping && Date.now() < ends) {
    const { data } = message(rng);
    pending.push(data);
    counters.sent++;
    await peer.send(data, rng);
    // One message in flight: wait for its echo (bounded), then a pause.
    const echoed = await Promise.race([
      new Promise<boolean>((resolve) => {
        if (pending.length === 0) resolve(true);
        else waiter = () => pending.length === 0 && resolve(true);
      }),
      delay(20_000).then(() => false),
    ]);
    waiter = null;
    if (!echoed) break;
    if (Date.now() >= nextPing) {
      counters.pings++;
      peer.ping();
      nextPing = Date.now() + rng.int(1000, 5000);
    }
    await delay(rng.int(0, paceMs));
  }
  counters.lost += pending.length;
  if (pending.length > 0) error(`${pending.length} messages without an echo after 20 s`);
  peer.close();
  const { code, clean } = await Promise.race([peer.closed, delay(10_000).then(() => ({ code: 0, clean: false }))]);
  if (clean && code === 1000) counters.cleanCloses++;
  else {
    counters.uncleanCloses++;
    error(`a session closed with ${code}${clean ? '' : ' (not clean)'}`);
  }
}

let running = Promise.resolve();

process.on('message', (request: SoakClientRequest) => {
  if (request.type === 'start') {
    const url = `ws://127.0.0.1:${request.port}/`;
    const rng = new Rng(request.seed);
    const lanes = Array.from({ length: request.connections }, async (_, lane) => {
      // Stagger the first sessions so that they do not all end together.
      await delay(lane * 50);
      while (!stopping) {
        await session(url, new Rng(rng.int(0, 2 ** 31 - 1)), request.paceMs).catch((failure: Error) => {
          counters.uncleanCloses++;
          error(`a session failed: ${failure.message}`);
        });
      }
    });
    running = Promise.all(lanes).then(() => {});
  } else if (request.type === 'progress') {
    process.send!({ type: 'progress', counters } satisfies SoakClientReply);
  } else if (request.type === 'stop') {
    stopping = true;
    void running.then(() => process.send!({ type: 'stopped', counters } satisfies SoakClientReply));
  }
});
process.on('disconnect', () => process.exit(0));
