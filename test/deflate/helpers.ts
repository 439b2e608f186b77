/**
 * Helpers for the permessage-deflate tests: run the fused chains with compression to the
 * end (waiting for `whenSettled` between inputs, as a connection does), and read frames
 * with a small parser written apart from the library.
 */
import { constants, createDeflateRaw, inflateRawSync } from 'node:zlib';
import {
  createDecoderCore,
  createEncoderCore,
  type CreateDecoderOptions,
  type EncoderInput,
  type CreateEncoderOptions,
  type Message,
  type StageCore,
} from '../../src/transforms/index.js';

export type TestError = Error & { closeCode?: number; code?: string };

/** Resolves once `core` has passed on everything accepted, or with the error that stopped it. */
export function settled(core: Pick<StageCore<never>, 'whenSettled'>): Promise<TestError | null> {
  return new Promise((resolve) => {
    if (core.whenSettled) core.whenSettled(resolve);
    else resolve(null);
  });
}

export interface EncodeResult {
  bytes: Buffer;
  error: TestError | null;
}

/** Encodes `inputs` through the fused encoder, one input at a time. */
export async function encodeAll(inputs: EncoderInput[], options: CreateEncoderOptions): Promise<EncodeResult> {
  const chunks: Buffer[] = [];
  const core = createEncoderCore(options, { accept: (chunk) => chunks.push(chunk) });
  let error: TestError | null = null;
  try {
    for (const input of inputs) {
      core.accept(input);
      error = await settled(core);
      if (error) break;
    }
    if (!error) core.finish();
  } catch (thrown) {
    error = thrown as TestError;
  }
  core.destroy?.();
  return { bytes: Buffer.concat(chunks), error };
}

export interface DecodeResult {
  messages: Message[];
  error: TestError | null;
}

/** Decodes `chunks` through the fused decoder, waiting for it to settle after each chunk. */
export async function decodeAll(chunks: Buffer[], options: CreateDecoderOptions): Promise<DecodeResult> {
  const messages: Message[] = [];
  const core = createDecoderCore(options, { accept: (message) => messages.push(message) });
  let error: TestError | null = null;
  try {
    for (const chunk of chunks) {
      core.accept(chunk);
      error = await settled(core);
      if (error) break;
    }
    if (!error) core.finish();
  } catch (thrown) {
    error = thrown as TestError;
  }
  core.destroy?.();
  return { messages, error };
}

/** Splits `bytes` into chunks of `size` bytes (views, not copies). */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let position = 0; position < bytes.length; position += size) chunks.push(bytes.subarray(position, position + size));
  return chunks;
}

export interface ParsedFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** Reads whole frames (RFC 6455 §5.2), unmasking masked ones into copies. */
export function parseFrames(bytes: Buffer): ParsedFrame[] {
  const frames: ParsedFrame[] = [];
  let position = 0;
  while (position < bytes.length) {
    const b0 = bytes[position]!;
    const b1 = bytes[position + 1]!;
    let length = b1 & 0x7f;
    let cursor = position + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(cursor));
      cursor += 8;
    }
    let payload: Buffer;
    if (b1 & 0x80) {
      const key = bytes.subarray(cursor, cursor + 4);
      cursor += 4;
      payload = Buffer.from(bytes.subarray(cursor, cursor + length));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
    } else {
      payload = bytes.subarray(cursor, cursor + length);
    }
    frames.push({ fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, opcode: b0 & 0x0f, payload });
    position = cursor + length;
  }
  return frames;
}

/** Reference decompression with zlib directly (RFC 7692 §7.2.2), for one message's payload. */
export function referenceInflate(payload: Buffer, windowBits = 15): Buffer {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { windowBits, finishFlush: constants.Z_SYNC_FLUSH });
}

/** JSON-like text that compresses about as well as real API traffic (ratio ~5-10). */
export function jsonText(bytes: number, seed = 1): string {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const words = ['alpha', 'beta', 'gamma', 'delta', 'price', 'quantity', 'user', 'session', 'ok', 'true', 'false', 'null'];
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const item = `{"id":${Math.floor(random() * 1e6)},"name":"${words[Math.floor(random() * words.length)]}","value":${(random() * 1000).toFixed(2)},"tags":["${words[Math.floor(random() * words.length)]}"]},`;
    parts.push(item);
    length += item.length;
  }
  return parts.join('').slice(0, bytes);
}

/**
 * A decompression bomb: raw DEFLATE of `gib` GiB of zeros, ~1 MB per GiB. zlib at level 9
 * turns every further 16 MiB of zeros into the same bytes once the window is all zeros,
 * so the bomb is the first 16 MiB segment and copies of the second: built in ~0.1 s.
 */
export async function zeroBomb(gib = 1): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9, flush: constants.Z_SYNC_FLUSH });
  const zeros = Buffer.alloc(SEGMENT);
  const segments: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const out: Buffer[] = [];
    const collect = (chunk: Buffer) => out.push(chunk);
    deflate.on('data', collect);
    await new Promise<void>((resolve) => deflate.write(zeros, () => resolve()));
    deflate.off('data', collect);
    segments.push(Buffer.concat(out));
  }
  deflate.close();
  const count = (gib * 1024 * 1024 * 1024) / SEGMENT;
  return Buffer.concat([segments[0]!, ...new Array<Buffer>(count - 1).fill(segments[1]!)]);
}
const SEGMENT = 16 * 1024 * 1024;

/** Rejects if `promise` has not settled in `ms`: a hang fails the test instead of ending the run. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
