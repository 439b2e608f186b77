/**
 * A load generator in its own process, forked by bench/load/run.ts with an IPC channel
 * (`node --import tsx bench/load/generator.ts`). Raw sockets, masked frames built by hand
 * (bench/echo/frames.ts), so the same bytes drive every server.
 *
 * - `open`: opens `connections` WebSocket connections (a few hundred handshakes at a time).
 * - `traffic`: each connection sends a numbered 16-byte binary message once a second (their
 *   phases spread over the second) and checks its echo: same connection, the next number,
 *   the bytes intact; the echo latency goes into a histogram. Meanwhile `churnPerSecond`
 *   short-lived connections open, exchange one message, close with the close handshake.
 *   After `seconds`, sending stops and the echoes still on their way get up to 5 s.
 * - `close`: every connection sends a close frame (1000) and waits for the server's.
 *
 * Replies `opened`, `report` and `closed`; `error` on anything unexpected.
 */
import type { Socket } from 'node:net';
import { maskedBinaryFrame, maskedCloseFrame } from '../echo/frames.js';
import { open } from '../echo/open.js';
import { Histogram } from './histogram.js';

export type GeneratorRequest =
  | { type: 'open'; port: number; connections: number; firstId: number }
  | { type: 'traffic'; seconds: number; churnPerSecond: number }
  | { type: 'close' };

export interface TrafficReport {
  sent: number;
  received: number;
  /** Sent and never echoed. */
  lost: number;
  /** Echoes out of order, for another connection, or with other bytes. */
  wrong: number;
  /** Steady connections that closed or failed during the run. */
  dropped: number;
  latency: { counts: number[]; max: number };
  churned: number;
  churnFailed: number;
  churnLatency: { counts: number[]; max: number };
  /** CPU time of this process over the traffic, as a fraction of one core. */
  cpu: number;
}

export type GeneratorReply =
  | { type: 'opened'; connections: number; seconds: number }
  | { type: 'report'; report: TrafficReport }
  | { type: 'closed'; clean: number; unclean: number }
  | { type: 'error'; message: string };

const PAYLOAD = 16;
const OPEN_CONCURRENCY = 200;
const TICKS_PER_SECOND = 100;

function post(reply: GeneratorReply): void {
  process.send!(reply);
}

/** One steady connection: sends numbered messages, checks their echoes. */
class Client {
  sent = 0;
  received = 0;
  wrong = 0;
  dropped = false;
  private pending: Buffer | null = null;
  private readonly sentAt: number[] = [];
  private closeWaiter: ((clean: boolean) => void) | null = null;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    rest: Buffer,
    private readonly latency: Histogram,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('close', () => {
      if (this.closeWaiter) this.closeWaiter(false);
      else this.dropped = true;
    });
    socket.on('error', () => {});
    if (rest.length > 0) this.read(rest);
    socket.resume();
  }

  send(): void {
    const payload = Buffer.allocUnsafe(PAYLOAD);
    payload.writeUInt32BE(this.id, 0);
    payload.writeUInt32BE(this.sent, 4);
    payload.writeDoubleBE(0, 8);
    this.sentAt.push(performance.now());
    this.sent++;
    this.socket.write(maskedBinaryFrame(payload));
  }

  close(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), 10_000);
      const done = (clean: boolean): void => {
        clearTimeout(timer);
        this.closeWaiter = null;
        this.socket.destroy();
        resolve(clean);
      };
      this.closeWaiter = done;
      if (this.socket.destroyed) done(false);
      else this.socket.write(maskedCloseFrame());
    });
  }

  private read(chunk: Buffer): void {
    let data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    while (data.length >= 2) {
      const opcode = data[0]! & 0x0f;
      const length = data[1]! & 0x7f;
      if (length >= 126) {
        this.wrong++;
        return;
      }
      if (data.length < 2 + length) break;
      const payload = data.subarray(2, 2 + length);
      data = data.subarray(2 + length);
      if (opcode === 0x8) {
        this.closeWaiter?.(true);
        return;
      }
      if (opcode !== 0x2 || length !== PAYLOAD || payload.readUInt32BE(0) !== this.id || payload.readUInt32BE(4) !== this.received) {
        if (opcode === 0x9 || opcode === 0xa) continue; // a server's keep-alive ping, or a pong
        this.wrong++;
        continue;
      }
      this.latency.record((performance.now() - this.sentAt[this.received]!) * 1000);
      this.sentAt[this.received] = 0;
      this.received++;
    }
    if (data.length > 0) this.pending = Buffer.from(data);
  }
}

let port = 0;
const clients: Client[] = [];
const latency = new Histogram();

async function openAll(connections: number, firstId: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < connections) {
      const id = firstId + next++;
      const { socket, rest } = await open(port);
      clients.push(new Client(id, socket, rest, latency));
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, connections) }, worker));
}

/** One short-lived connection: open, one message and its echo, the close handshake. */
async function churnOnce(histogram: Histogram): Promise<boolean> {
  const began = performance.now();
  const { socket, rest } = await open(port);
  return new Promise<boolean>((resolve) => {
    let buffer = rest;
    let echoed = false;
    const timer = setTimeout(() => finish(false), 10_000);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      if (ok) histogram.record((performance.now() - began) * 1000);
      resolve(ok);
    };
    const check = (): void => {
      while (buffer.length >= 2 && buffer.length >= 2 + (buffer[1]! & 0x7f)) {
        const opcode = buffer[0]! & 0x0f;
        const length = buffer[1]! & 0x7f;
        buffer = buffer.subarray(2 + length);
        if (opcode === 0x2 && length === PAYLOAD && !echoed) {
          echoed = true;
          socket.write(maskedCloseFrame());
        } else if (opcode === 0x8) {
          finish(echoed);
          return;
        }
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      check();
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.resume();
    socket.write(maskedBinaryFrame(Buffer.alloc(PAYLOAD, 1)));
    check();
  });
}

async function traffic(seconds: number, churnPerSecond: number): Promise<TrafficReport> {
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const churnLatency = new Histogram();
  let churned = 0;
  let churnFailed = 0;
  const churns = new Set<Promise<void>>();
  let tick = 0;
  let churnDebt = 0;
  const timer = setInterval(() => {
    // Each connection sends once a second, in its slot of the second.
    const slot = tick++ % TICKS_PER_SECOND;
    for (let i = slot; i < clients.length; i += TICKS_PER_SECOND) {
      const client = clients[i]!;
      if (!client.dropped) client.send();
    }
    churnDebt += churnPerSecond / TICKS_PER_SECOND;
    while (churnDebt >= 1) {
      churnDebt--;
      const churn = churnOnce(churnLatency).then(
        (ok) => (ok ? churned++ : churnFailed++),
        () => churnFailed++,
      );
      const tracked: Promise<void> = churn.then(() => void churns.delete(tracked));
      churns.add(tracked);
    }
  }, 1000 / TICKS_PER_SECOND);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  clearInterval(timer);
  // Echoes still on their way, and the churn under way, get a few seconds.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && clients.some((client) => client.received < client.sent && !client.dropped)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.race([Promise.all(churns), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - began) / 1000;
  let sent = 0;
  let received = 0;
  let wrong = 0;
  let dropped = 0;
  for (const client of clients) {
    sent += client.sent;
    received += client.received;
    wrong += client.wrong;
    if (client.dropped) dropped++;
  }
  return {
    sent,
    received,
    lost: sent - received,
    wrong,
    dropped,
    latency: latency.toJSON(),
    churned,
    churnFailed,
    churnLatency: churnLatency.toJSON(),
    cpu: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

async function closeAll(): Promise<{ clean: number; unclean: number }> {
  const results = await Promise.all(clients.map((client) => client.close()));
  const clean = results.filter(Boolean).length;
  return { clean, unclean: results.length - clean };
}

process.on('message', (request: GeneratorRequest) => {
  const fail = (error: Error): void => post({ type: 'error', message: error.message });
  if (request.type === 'open') {
    port = request.port;
    const began = performance.now();
    openAll(request.connections, request.firstId).then(() => post({ type: 'opened', connections: clients.length, seconds: (performance.now() - began) / 1000 }), fail);
  } else if (request.type === 'traffic') {
    traffic(request.seconds, request.churnPerSecond).then((report) => post({ type: 'report', report }), fail);
  } else if (request.type === 'close') {
    closeAll().then((result) => post({ type: 'closed', ...result }), fail);
  }
});
process.on('disconnect', () => process.exit(0));
