/**
 * The subscribers of the fan-out benchmark, in their own process (forked by
 * bench/fanout/run.ts): `node --import tsx bench/fanout/subscribers.ts`. The same code
 * subscribes to every server.
 *
 * Most subscribers are raw sockets that count the server's frames without copying or
 * parsing payloads (bench/echo/frames.ts's FrameCounter, which also checks each is a
 * binary frame of the expected size). A few are `ws` clients that read the publish time
 * in each message's first 8 bytes: publish-to-receive latency.
 *
 * IPC: `{ type: 'open', port, count, probes, size }` → `{ type: 'opened', set }`;
 * `{ type: 'frames' }` → `{ type: 'frames', count }` (every frame received so far, all
 * sets); `{ type: 'latency', set, on }` starts (on) or ends collecting the probes' samples
 * → `{ type: 'latency', p50, p99, samples }` when ending; `{ type: 'close', set }` closes a set.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { FrameCounter } from '../echo/frames.js';
import { HOST, open } from '../echo/open.js';

export type SubscribersRequest =
  | { type: 'open'; port: number; count: number; probes: number; size: number }
  | { type: 'frames' }
  | { type: 'latency'; set: number; on: boolean }
  | { type: 'close'; set: number };

export type SubscribersReply =
  | { type: 'opened'; set: number }
  | { type: 'frames'; count: number }
  | { type: 'latency'; p50: number; p99: number; samples: number }
  | { type: 'error'; message: string };

interface SubscriberSet {
  sockets: Socket[];
  probes: WebSocket[];
  samples: number[] | null;
}

const sets: SubscriberSet[] = [];
let frames = 0;

function post(reply: SubscribersReply): void {
  if (process.connected) process.send!(reply);
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e3;
}

function fail(error: Error): void {
  post({ type: 'error', message: error.message });
}

async function openSet(port: number, count: number, probes: number, size: number): Promise<number> {
  const set: SubscriberSet = { sockets: [], probes: [], samples: null };
  const index = sets.push(set) - 1;
  const counted = (received: number): void => void (frames += received);
  for (let opened = 0; opened < count - probes; opened += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, count - probes - opened) }, () => open(port)));
    for (const { socket, rest } of batch) {
      const counter = new FrameCounter(size, counted, fail);
      if (rest.length > 0) counter.accept(rest);
      socket.on('data', (chunk: Buffer) => counter.accept(chunk));
      socket.on('error', () => {});
      socket.resume();
      set.sockets.push(socket);
    }
  }
  for (let i = 0; i < probes; i++) {
    const probe = new WebSocket(`ws://${HOST}:${port}/`, { perMessageDeflate: false });
    probe.on('message', (data: Buffer) => {
      frames++;
      set.samples?.push(now() - data.readDoubleLE(0));
    });
    probe.on('error', () => {});
    await new Promise((resolve, reject) => {
      probe.once('open', resolve);
      probe.once('error', reject);
    });
    set.probes.push(probe);
  }
  return index;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

process.on('message', (request: SubscribersRequest) => {
  switch (request.type) {
    case 'open':
      openSet(request.port, request.count, request.probes, request.size).then((set) => post({ type: 'opened', set }), fail);
      break;
    case 'frames':
      post({ type: 'frames', count: frames });
      break;
    case 'latency': {
      const set = sets[request.set]!;
      if (request.on) {
        set.samples = [];
        break;
      }
      const sorted = (set.samples ?? []).sort((a, b) => a - b);
      set.samples = null;
      post({ type: 'latency', p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length });
      break;
    }
    case 'close': {
      const set = sets[request.set]!;
      for (const socket of set.sockets) socket.destroy();
      for (const probe of set.probes) probe.terminate();
      break;
    }
  }
});
