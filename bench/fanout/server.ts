/**
 * One fan-out server in its own process, forked by bench/fanout/run.ts with an IPC
 * channel (normally as an esbuild bundle, see bench/echo/bundle.ts):
 * `node bench/fanout/server.ts ours|ws [REDIS_URL publisher|subscriber]`.
 *
 * - `ours`: a wspipe server; every connection subscribes to the topic 'bench', and a
 *   message goes out with `server.publish('bench', payload)`: framed once, the same bytes
 *   written to every subscriber, one write per socket per tick.
 * - `ws`: a `ws` WebSocketServer and the loop everyone writes:
 *   `for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(payload)`.
 * - With REDIS_URL (ours only), the server has a Redis broker: what it publishes reaches
 *   the subscribers of the other server process; as the subscriber, a server-side
 *   listener counts the messages that arrive from there.
 *
 * Every message is 1 KiB (or `size`), binary; its first 8 bytes are the publish time
 * (process.hrtime in µs, a float64: CLOCK_MONOTONIC, the same clock in every process).
 *
 * IPC: → `{ type: 'listening', port }`; `{ type: 'subscribers' }` → `{ type: 'subscribers', count }`;
 * `{ type: 'saturate', seconds, size }` publishes as fast as the subscribers take it (a batch
 * whenever the fullest send buffer is below 64 KiB) → `{ type: 'published', count, skipped }`;
 * `{ type: 'steady', rate, seconds, size }` publishes `rate` messages per second → the same;
 * `{ type: 'arrived' }` → `{ type: 'arrived', count }` (messages from the other process);
 * `{ type: 'gc' }` collects garbage (with --expose-gc) → `{ type: 'collected' }`;
 * `{ type: 'stop' }` exits.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import { createServer } from '../../src/index.js';
import { createRedisBroker, type RedisBroker } from '../../src/redis/index.js';

export type FanoutImplementation = 'ours' | 'ws';

export type FanoutRequest =
  | { type: 'subscribers' }
  | { type: 'saturate'; seconds: number; size: number }
  | { type: 'steady'; rate: number; seconds: number; size: number }
  | { type: 'arrived' }
  | { type: 'gc' }
  | { type: 'stop' };

export type FanoutReply =
  | { type: 'listening'; port: number }
  | { type: 'subscribers'; count: number }
  | { type: 'published'; count: number; skipped: number }
  | { type: 'arrived'; count: number }
  | { type: 'collected' }
  | { type: 'error'; message: string };

const TOPIC = 'bench';
const HOST = '127.0.0.1';
/** The publisher waits while a subscriber has more than this waiting to be sent. */
const HIGH_WATER = 64 * 1024;
/** Messages published per turn of the event loop while there is room. */
const BATCH = 16;
/** With a broker: publications waiting for Redis before the publisher waits. */
const MAX_PENDING = 2000;

interface Contender {
  port: number;
  subscribers(): number;
  /** The most bytes any subscriber has waiting to be sent. */
  backlog(): number;
  publish(payload: Buffer): void;
  skipped(): number;
}

function post(reply: FanoutReply): void {
  process.send!(reply);
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e3;
}

async function ours(redisUrl: string | undefined, subscriber: boolean): Promise<Contender & { broker: RedisBroker | null; arrived: () => number }> {
  const broker = redisUrl === undefined ? null : createRedisBroker({ url: redisUrl });
  broker?.on('error', () => {});
  const server = createServer({ host: HOST, port: 0, ...(broker ? { broker } : {}) }, (connection) => connection.subscribe(TOPIC));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  let arrived = 0;
  if (broker) {
    const subscribed = new Promise<void>((resolve) => broker.once('subscribed', () => resolve()));
    if (subscriber) server.subscribe(TOPIC, () => arrived++);
    await broker.ready();
    if (subscriber) await subscribed;
  }
  let skipped = 0;
  server.on('slowSubscriber', () => skipped++);
  return {
    port: (server.address() as AddressInfo).port,
    broker,
    arrived: () => arrived,
    subscribers: () => server.subscriberCount(TOPIC),
    backlog: () => {
      let most = 0;
      for (const connection of server.connections) most = Math.max(most, connection.bufferedAmount);
      return most;
    },
    publish: (payload) => void server.publish(TOPIC, payload),
    skipped: () => skipped,
  };
}

async function ws(): Promise<Contender> {
  const wss = new WsServer({ host: HOST, port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  return {
    port: (wss.address() as AddressInfo).port,
    subscribers: () => wss.clients.size,
    backlog: () => {
      let most = 0;
      for (const client of wss.clients) most = Math.max(most, client.bufferedAmount);
      return most;
    },
    // ws's README broadcast, as everyone writes it.
    publish: (payload) => {
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(payload);
    },
    skipped: () => 0,
  };
}

const implementation = process.argv[2] as FanoutImplementation;
const redisUrl = process.argv[3];
const role = process.argv[4];
if (implementation !== 'ours' && implementation !== 'ws') throw new Error(`Unknown implementation ${String(implementation)}`);
const contender = implementation === 'ours' ? await ours(redisUrl, role === 'subscriber') : await ws();
const broker = 'broker' in contender ? (contender.broker as RedisBroker | null) : null;

function message(template: Buffer): Buffer {
  const payload = Buffer.allocUnsafe(template.length);
  template.copy(payload);
  payload.writeDoubleLE(now(), 0);
  return payload;
}

/** Whether the publisher should wait: a subscriber's buffer is full, or Redis lags. */
function full(): boolean {
  return (broker !== null && broker.pending > MAX_PENDING) || contender.backlog() > HIGH_WATER;
}

function saturate(seconds: number, size: number): Promise<number> {
  const template = Buffer.alloc(size, 0x61);
  const end = performance.now() + seconds * 1000;
  let count = 0;
  return new Promise((resolve) => {
    const step = (): void => {
      if (performance.now() >= end) {
        resolve(count);
        return;
      }
      if (!full()) {
        for (let i = 0; i < BATCH; i++) contender.publish(message(template));
        count += BATCH;
      }
      setImmediate(step);
    };
    step();
  });
}

function steady(rate: number, seconds: number, size: number): Promise<number> {
  const template = Buffer.alloc(size, 0x62);
  const start = performance.now();
  let count = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor(seconds * rate));
      while (count < due) {
        contender.publish(message(template));
        count++;
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve(count);
      }
    }, 1);
  });
}

process.on('message', (request: FanoutRequest) => {
  const fail = (error: Error): void => post({ type: 'error', message: error.message });
  switch (request.type) {
    case 'subscribers':
      post({ type: 'subscribers', count: contender.subscribers() });
      break;
    case 'saturate':
      saturate(request.seconds, request.size).then((count) => post({ type: 'published', count, skipped: contender.skipped() }), fail);
      break;
    case 'steady':
      steady(request.rate, request.seconds, request.size).then((count) => post({ type: 'published', count, skipped: contender.skipped() }), fail);
      break;
    case 'arrived':
      post({ type: 'arrived', count: 'arrived' in contender ? (contender.arrived as () => number)() : 0 });
      break;
    case 'gc':
      (globalThis as { gc?: () => void }).gc?.();
      post({ type: 'collected' });
      break;
    case 'stop':
      process.exit(0);
  }
});
post({ type: 'listening', port: contender.port });
