/**
 * Encoders over every payload size: our fused encoder (core and Duplex) and ws's Sender
 * writing into a counting socket. Prints one JSON line of ResultRow[].
 */
import { createRequire } from 'node:module';
import { randomFillSync } from 'node:crypto';
import { createEncoder, createEncoderCore } from '../src/transforms/index.js';
import { SIZES } from './frames.js';
import { passesPerSecond, type ResultRow } from './measure.js';

const role = (process.argv[2] ?? 'server') as 'server' | 'client';
/** `ws-only`: just ws's Sender, for a run with WS_NO_BUFFER_UTIL=1 (ws reads it once, at load). */
const wsOnly = process.argv[3] === 'ws-only';
const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const require = createRequire(import.meta.url);

interface Encoder {
  name: string;
  send(data: Buffer): void;
  bytes(): number;
}

function ours(): Encoder {
  let bytes = 0;
  const core = createEncoderCore({ role }, { accept: (chunk) => { bytes += chunk.length; } });
  return { name: `wspipe core (${role})`, send: (data) => core.accept({ type: 'binary', data }), bytes: () => bytes };
}

function oursDuplex(): Encoder {
  let bytes = 0;
  const encoder = createEncoder({ role });
  encoder.on('data', (chunk: Buffer) => { bytes += chunk.length; });
  return { name: `wspipe fused (${role})`, send: (data) => encoder.write({ type: 'binary', data }), bytes: () => bytes };
}

function ws(): Encoder {
  const { Sender } = require('ws');
  let bytes = 0;
  const socket = { write: (chunk: Buffer) => { bytes += chunk.length; return true; }, cork() {}, uncork() {} };
  const sender = new Sender(socket);
  const options = { binary: true, fin: true, mask: role === 'client', compress: false };
  return { name: `ws (${role})`, send: (data) => sender.send(data, options), bytes: () => bytes };
}

const rows: ResultRow[] = [];
for (const make of wsOnly ? [ws] : [ours, oursDuplex, ws]) {
  for (const size of SIZES) {
    const payload = randomFillSync(Buffer.alloc(size.bytes));
    const perPass = Math.max(1, Math.floor((4 << 20) / size.bytes));
    const encoder = make();
    const pass = async () => {
      for (let i = 0; i < perPass; i++) encoder.send(payload);
      await new Promise((resolve) => setImmediate(resolve));
    };
    const rate = await passesPerSecond(pass, seconds);
    if (encoder.bytes() < perPass * size.bytes) throw new Error(`${encoder.name} wrote too little`);
    rows.push({ name: encoder.name, size: size.label, framesPerSecond: rate * perPass, megabytesPerSecond: (rate * perPass * size.bytes) / 1e6 });
  }
}
process.stdout.write(JSON.stringify(rows) + '\n');
