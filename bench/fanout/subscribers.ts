/**
 * The subscribers of the fan-out benchmark, in their own process (forked by
 * bench/fanout/run.ts): `node --import tsx bench/fanout/subscribers.ts`. The same code
 * subscribes to every server.
 *
 * Most subscribers are raw sockets that count the server's frames without copying or
 * parsing payloads (bench/echo/frames.ts's FrameCounter, which also checks each is a
 * binary frame of the expected size). A few, spread through the order of connection, are
 * `ws` clients that read the publish time in each message's first 8 bytes:
 * publish-to-receive latency.
 *
 * IPC: `{ type: 'open', port, count, probes, size }` → `{ type: 'opened', set }`;
 * `{ type: 'frames' }` → `{ type: 'frames', count }` (every frame received so far, all
 * sets); `{ type: 'latency', set, on }` starts (on) or ends collecting the probes' samples
 * → `{ type: 'latency', samples }` (µs) when ending; `{ type: 'close', set }` closes a set.
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
  | { type: 'latency'; samples: number[] }
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

async function openProbe(port: number, set: SubscriberSet): Promise<void> {
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

async function openCounter(port: number, set: SubscriberSet, size: number): Promise<void> {
  const { socket, rest } = await open(port);
  const counter = new FrameCounter(size, (received) => void (frames += received), fail);
  if (rest.length > 0) counter.accept(rest);
  socket.on('data', (chunk: Buffer) => counter.accept(chunk));
  socket.on('error', () => {});
  socket.resume();
  set.sockets.push(socket);
}

/**
 * Opens `count` subscribers, `probes` of them spread evenly through the order of opening
 * (which is the order the server writes to them): the latency they see is that of the
 * first subscribers, the last ones, and those between.
 */
async function openSet(port: number, count: number, probes: number, size: number): Promise<number> {
  const set: SubscriberSet = { sockets: [], probes: [], samples: null };
  const index = sets.push(set) - 1;
  const every = Math.max(1, Math.floor(count / Math.max(1, probes)));
  for (let opened = 0; opened < count; ) {
    // Counting sockets in parallel up to the next probe, then the probe alone: the order holds.
    const untilProbe = set.probes.length < probes ? every - 1 - (opened % every) : count - opened;
    const batch = Math.min(untilProbe, 100, count - opened);
    if (batch > 0) {
      await Promise.all(Array.from({ length: batch }, () => openCounter(port, set, size)));
      opened += batch;
    } else {
      await openProbe(port, set);
      opened++;
    }
  }
  return index;
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
      post({ type: 'latency', samples: set.samples ?? [] });
      set.samples = null;
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
