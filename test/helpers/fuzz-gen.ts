/**
 * The decoder fuzzer, shared by test/decoder-fuzz.test.ts (bounded) and
 * test/fuzz/long-fuzz.ts (long runs):
 *
 * - `generateCase(seed)`: a random byte stream, a valid stream (built with the independent
 *   frame builder of ./frames.ts), or a valid stream with header tweaks (opcodes, RSV and
 *   mask bits, FIN, non-minimal and huge 64-bit lengths, control frames over 125 bytes or
 *   unfinished, bad close payloads, bad UTF-8) and byte mutations (bit flips, insertions,
 *   deletions, truncation); random decoder options (role, small maxPayload/maxFragments,
 *   allowed RSV bits), decode path and chunking. A pure function of the seed.
 * - `referenceDecode(bytes, options)`: an independent, deliberately simple whole-buffer
 *   decoder that walks the stream byte by byte and says which messages must come out and
 *   which close code the first violation calls for (RFC 6455 §5, §7.4, §8.1).
 * - `runCase` / `checkCase`: feeds the chunks to the decoder under test and compares.
 */
import { pipeline, Readable, Writable, type Transform } from 'node:stream';
import { createDecoderCore, WebSocketError, type DecoderOptions, type Message, type Role } from '../../src/transforms/index.js';
import { frame, type RawFrame } from './frames.js';
import { checkMessageShape, diffMessages, isWireCloseCode } from './messages.js';
import { Rng, randomChunkPlan, rechunk } from './rng.js';
import { decoderStages } from './decode.js';

export type FuzzPath = 'core' | 'fused' | 'separate';
export type FuzzMode = 'random-bytes' | 'random-frames' | 'valid' | 'mutated';

export interface FuzzCase {
  seed: number;
  mode: FuzzMode;
  path: FuzzPath;
  options: DecoderOptions;
  bytes: Buffer;
  chunkPlan: number[];
  /** What a valid stream was built from (valid mode only). */
  intended?: Message[];
  /** The mutations applied, for the failure report. */
  mutations: string[];
}

/** Most chunks one case is cut into (about): keeps 1-byte chunkings of 70 KB frames cheap. */
const CHUNK_BUDGET = 1500;
const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
const DEFAULT_MAX_FRAGMENTS = 1 << 20;

// ---------------------------------------------------------------------------------------
// Generation

const CONTROL_OPCODES = [0x8, 0x9, 0xa] as const;
const INVALID_UTF8: ReadonlyArray<readonly number[]> = [
  [0xc0, 0xaf], // overlong
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // surrogate
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x8f, 0xbf, 0xbf], // overlong
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0x80], // stray continuation
  [0xe2, 0x82], // truncated (invalid when something other than a continuation follows)
  [0xce],
];
const HUGE_LENGTHS: readonly bigint[] = [
  2n ** 63n,
  2n ** 63n + 5n,
  2n ** 64n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 53n - 1n,
  2n ** 40n,
  2n ** 32n,
  2n ** 32n - 1n,
  0x1fffffn << 32n,
  65_535n, // non-minimal in 64 bits
  65_536n,
  200n, // non-minimal in 64 bits
  0n,
];

/** Random valid UTF-8 of about `bytes` bytes: ASCII, 2-, 3-byte and astral characters. */
export function randomText(rng: Rng, bytes: number): string {
  let text = '';
  let size = 0;
  while (size < bytes) {
    const kind = rng.weighted({ ascii: 6, two: 2, three: 2, astral: 1 });
    let cp: number;
    if (kind === 'ascii') cp = rng.int(0, 0x7f);
    else if (kind === 'two') cp = rng.int(0x80, 0x7ff);
    else if (kind === 'three') {
      cp = rng.int(0x800, 0xffff - 0x800);
      if (cp >= 0xd800) cp += 0x800; // skip the surrogates
    } else cp = rng.int(0x10000, 0x10ffff);
    text += String.fromCodePoint(cp);
    size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return text;
}

function payloadSize(rng: Rng): number {
  const kind = rng.weighted({ empty: 1, small: 8, medium: 3, b16: 1, b64: 0.12 });
  if (kind === 'empty') return 0;
  if (kind === 'small') return rng.int(1, 40);
  if (kind === 'medium') return rng.int(41, 300);
  if (kind === 'b16') return rng.int(126, 3000);
  return rng.int(65_536, 70_000);
}

function maskFor(rng: Rng, role: Role): number[] | undefined {
  if (role === 'client') return undefined; // a server sends unmasked frames
  return rng.chance(0.1) ? [0, 0, 0, 0] : [...rng.bytes(4)];
}

function controlFrame(rng: Rng, role: Role): { spec: RawFrame; message: Message } {
  const type = rng.pick(['ping', 'pong'] as const);
  const data = rng.bytes(rng.chance(0.2) ? 125 : rng.int(0, 30));
  return { spec: { opcode: type === 'ping' ? 0x9 : 0xa, payload: data, mask: maskFor(rng, role) }, message: { type, data: Buffer.from(data) } };
}

/** A valid stream from a peer of `role`'s decoder: frames and the messages they carry. */
export function generateValidFrames(rng: Rng, role: Role): { frames: RawFrame[]; messages: Message[] } {
  // The decoder's role receives from the other role: a server decoder gets masked frames.
  const frames: RawFrame[] = [];
  const messages: Message[] = [];
  const count = rng.int(0, 6);
  for (let m = 0; m < count; m++) {
    const kind = rng.weighted({ text: 4, binary: 4, control: 3 });
    if (kind === 'control') {
      const { spec, message } = controlFrame(rng, role);
      frames.push(spec);
      messages.push(message);
      continue;
    }
    const data = kind === 'text' ? Buffer.from(randomText(rng, payloadSize(rng))) : rng.bytes(payloadSize(rng));
    const pieces = rng.chance(0.5) ? 1 : rng.int(2, 5);
    const cuts = Array.from({ length: pieces - 1 }, () => rng.int(0, data.length)).sort((a, b) => a - b);
    const bounds = [0, ...cuts, data.length];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const fin = i + 2 === bounds.length;
      // Cuts may fall inside a code point: UTF-8 is validated across fragments.
      frames.push({ fin, opcode: i === 0 ? (kind === 'text' ? 0x1 : 0x2) : 0x0, payload: data.subarray(bounds[i]!, bounds[i + 1]!), mask: maskFor(rng, role) });
      if (!fin && rng.chance(0.3)) {
        const { spec, message } = controlFrame(rng, role);
        frames.push(spec);
        messages.push(message);
      }
    }
    messages.push(kind === 'text' ? { type: 'text', data: data.toString('utf8') } : { type: 'binary', data: Buffer.from(data) });
  }
  if (rng.chance(0.4)) {
    const shape = rng.int(0, 2);
    const code = rng.pick([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999]);
    const reason = shape === 2 ? randomText(rng, rng.int(1, 30)) : '';
    const payload = shape === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);
    frames.push({ opcode: 0x8, payload, mask: maskFor(rng, role) });
    messages.push(shape === 0 ? { type: 'close', reason: '' } : { type: 'close', code, reason });
  }
  return { frames, messages };
}

/** Frames with random header fields but consistent lengths. */
function randomFrames(rng: Rng, role: Role): RawFrame[] {
  const frames: RawFrame[] = [];
  const count = rng.int(1, 8);
  for (let i = 0; i < count; i++) {
    const opcode = rng.chance(0.85) ? rng.pick([0x0, 0x1, 0x2, 0x8, 0x9, 0xa]) : rng.int(0, 15);
    const textual = rng.chance(0.5);
    const size = opcode >= 8 ? rng.int(0, 130) : payloadSize(rng);
    frames.push({
      fin: rng.chance(0.7),
      rsv1: rng.chance(0.05),
      rsv2: rng.chance(0.03),
      rsv3: rng.chance(0.03),
      opcode,
      payload: textual ? Buffer.from(randomText(rng, size)) : rng.bytes(size),
      mask: rng.chance(0.9) ? maskFor(rng, role) : role === 'client' ? [...rng.bytes(4)] : undefined,
      lengthBits: rng.chance(0.05) ? rng.pick([16, 64] as const) : undefined,
    });
  }
  return frames;
}

function mutateFrames(rng: Rng, frames: RawFrame[], role: Role, log: string[]): void {
  const count = rng.int(1, 3);
  for (let n = 0; n < count; n++) {
    if (frames.length === 0) frames.push(...randomFrames(rng, role));
    const index = rng.int(0, frames.length - 1);
    const f = { ...frames[index]! };
    frames[index] = f;
    const payload = Buffer.from(f.payload ?? []);
    const kind = rng.pick([
      'opcode',
      'rsv',
      'mask',
      'fin',
      'non-minimal-length',
      'huge-length',
      'wrong-length',
      'big-control',
      'unfinished-control',
      'close-payload',
      'bad-utf8',
      'drop',
      'duplicate',
      'swap',
      'insert-random',
    ] as const);
    log.push(`${kind}@${index}`);
    switch (kind) {
      case 'opcode':
        f.opcode = rng.int(0, 15);
        break;
      case 'rsv': {
        const bit = rng.pick(['rsv1', 'rsv2', 'rsv3'] as const);
        f[bit] = !f[bit];
        break;
      }
      case 'mask':
        f.mask = f.mask ? undefined : [...rng.bytes(4)];
        break;
      case 'fin':
        f.fin = f.fin === false;
        break;
      case 'non-minimal-length':
        f.lengthBits = payload.length < 126 ? rng.pick([16, 64] as const) : 64;
        break;
      case 'huge-length':
        f.lengthBits = 64;
        f.announcedLength = rng.pick(HUGE_LENGTHS);
        break;
      case 'wrong-length':
        f.announcedLength = Math.max(0, payload.length + rng.pick([-5, -2, -1, 1, 2, 3, 100]));
        break;
      case 'big-control':
        f.opcode = rng.pick(CONTROL_OPCODES);
        f.payload = rng.bytes(rng.int(126, 300));
        break;
      case 'unfinished-control':
        f.opcode = rng.pick(CONTROL_OPCODES);
        f.fin = false;
        break;
      case 'close-payload': {
        f.opcode = 0x8;
        const shape = rng.int(0, 4);
        const code = shape === 1 ? rng.pick([0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535]) : rng.pick([1000, 1011, 3000, 4999]);
        const reason =
          shape === 2 ? Buffer.from(rng.pick(INVALID_UTF8)) : shape === 3 ? Buffer.alloc(124, 0x61) : Buffer.from(randomText(rng, rng.int(0, 20)));
        f.payload = shape === 0 ? Buffer.from([rng.int(0, 255)]) : Buffer.concat([Buffer.from([code >> 8, code & 0xff]), reason]);
        break;
      }
      case 'bad-utf8': {
        const bad = Buffer.from(rng.pick(INVALID_UTF8));
        const at = rng.int(0, payload.length);
        f.payload = Buffer.concat([payload.subarray(0, at), bad, payload.subarray(at)]);
        if (rng.chance(0.5)) f.opcode = rng.pick([0x0, 0x1]);
        break;
      }
      case 'drop':
        frames.splice(index, 1);
        break;
      case 'duplicate':
        frames.splice(index, 0, { ...f });
        break;
      case 'swap': {
        const other = rng.int(0, frames.length - 1);
        [frames[index], frames[other]] = [frames[other]!, frames[index]!];
        break;
      }
      case 'insert-random':
        frames.splice(index, 0, ...randomFrames(rng, role).slice(0, 2));
        break;
    }
  }
}

function mutateBytes(rng: Rng, bytes: Buffer, log: string[]): Buffer {
  let out = bytes;
  const count = rng.int(0, 3);
  for (let n = 0; n < count; n++) {
    const kind = rng.pick(['flip', 'set', 'insert', 'delete', 'truncate', 'repeat'] as const);
    const at = rng.int(0, out.length);
    log.push(`${kind}@${at}`);
    switch (kind) {
      case 'flip':
        if (at < out.length) out[at] = out[at]! ^ (1 << rng.int(0, 7));
        break;
      case 'set':
        if (at < out.length) out[at] = rng.int(0, 255);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(1, 8)), out.subarray(at)]);
        break;
      case 'delete':
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.int(1, 8))]);
        break;
      case 'truncate':
        out = out.subarray(0, at);
        break;
      case 'repeat': {
        const length = rng.int(1, 16);
        out = Buffer.concat([out.subarray(0, at + length), out.subarray(at, at + length), out.subarray(at + length)]);
        break;
      }
    }
  }
  return Buffer.from(out);
}

export function serialize(frames: readonly RawFrame[]): Buffer {
  return Buffer.concat(frames.map((spec) => frame(spec)));
}

/** The case for `seed`: everything about it follows from the seed. */
export function generateCase(seed: number, forcedMode?: FuzzMode): FuzzCase {
  const rng = new Rng(seed);
  const role: Role = rng.chance(0.5) ? 'server' : 'client';
  const path = rng.pick(['core', 'fused', 'separate'] as const);
  const mode = forcedMode ?? rng.weighted<FuzzMode>({ 'random-bytes': 1, 'random-frames': 2, valid: 1, mutated: 5 });
  const options: DecoderOptions = { role };
  if (rng.chance(0.35)) options.maxPayload = rng.pick([0, 1, 2, 16, 125, 126, 1000, 65_536, rng.int(0, 5000)]);
  if (rng.chance(0.25)) options.maxFragments = rng.int(1, 6);
  if (rng.chance(0.1)) options.allowRsv1 = true;
  if (rng.chance(0.05)) options.allowRsv2 = true;
  if (rng.chance(0.05)) options.allowRsv3 = true;
  const mutations: string[] = [];
  let bytes: Buffer;
  let intended: Message[] | undefined;
  if (mode === 'random-bytes') {
    bytes = rng.bytes(rng.int(0, 300));
  } else if (mode === 'random-frames') {
    bytes = serialize(randomFrames(rng, role));
  } else {
    const { frames, messages } = generateValidFrames(rng, role);
    if (mode === 'valid') {
      bytes = serialize(frames);
      intended = messages;
    } else {
      if (rng.chance(0.8)) mutateFrames(rng, frames, role, mutations);
      bytes = mutateBytes(rng, serialize(frames), mutations);
    }
  }
  return { seed, mode, path, options, bytes, chunkPlan: randomChunkPlan(rng), intended, mutations };
}

// ---------------------------------------------------------------------------------------
// Reference decoder

/** What the decoder must report for a stream. */
export interface Expectation {
  /** The messages delivered before the first violation (all of them when there is none). */
  messages: Message[];
  /** The close code of the first violation, or null for a valid stream. */
  closeCode: number | null;
  /** What the violation is (for reports). */
  reason: string;
  /**
   * Other close codes that are also right: a decoder that checks a chunk's size before its
   * UTF-8 may report 1009 for a text frame that is both invalid and over maxPayload; one
   * that refuses a frame announcing more than maxPayload at its header reports 1009 there.
   */
  alternatives: number[];
}

/** Incremental UTF-8 check that fails on the first byte no valid sequence can have (Unicode Table 3-7). */
class Utf8Prefix {
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;

  push(b: number): boolean {
    if (this.need > 0) {
      if (b < this.lo || b > this.hi) return false;
      this.need--;
      this.lo = 0x80;
      this.hi = 0xbf;
      return true;
    }
    if (b <= 0x7f) return true;
    if (b >= 0xc2 && b <= 0xdf) this.need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      this.need = 2;
      if (b === 0xe0) this.lo = 0xa0;
      if (b === 0xed) this.hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      this.need = 3;
      if (b === 0xf0) this.lo = 0x90;
      if (b === 0xf4) this.hi = 0x8f;
    } else return false;
    return true;
  }

  get complete(): boolean {
    return this.need === 0;
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function isUtf8Reference(bytes: Uint8Array): boolean {
  try {
    fatalUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes the whole stream byte by byte. Checks happen where the decoder can first see
 * them: header rules once the header is complete; the mask policy and fragmentation rules
 * once the frame's first payload byte is there (at once for an empty frame); maxPayload
 * and UTF-8 byte by byte; control payloads once complete; 1006 when the input ends inside
 * a frame or a fragmented message. (1009 at the header of a frame announcing more than
 * maxPayload is accepted as an alternative.)
 */
export function referenceDecode(input: Buffer, options: DecoderOptions): Expectation {
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
  const requireMask = options.role === 'server';
  const messages: Message[] = [];
  /** The current frame announces more than maxPayload: a decoder may refuse it at its header. */
  let oversized = false;
  const fail = (closeCode: number, reason: string, alternatives: number[] = []): Expectation => ({
    messages,
    closeCode,
    reason,
    alternatives: oversized && closeCode !== 1009 ? [...alternatives, 1009] : alternatives,
  });
  const eof = (where: string) => fail(1006, `input ended ${where}`);

  let kind: 'text' | 'binary' | null = null;
  let compressed = false;
  let fragments = 0;
  let length = 0;
  let parts: Buffer[] = [];
  let utf8 = new Utf8Prefix();

  let pos = 0;
  const n = input.length;
  while (pos < n) {
    if (n - pos < 2) return eof('in a frame header');
    const b0 = input[pos]!;
    const b1 = input[pos + 1]!;
    const len7 = b1 & 0x7f;
    const masked = (b1 & 0x80) !== 0;
    const headerLength = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (n - pos < headerLength) return eof('in a frame header');
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const rsv2 = (b0 & 0x20) !== 0;
    const rsv3 = (b0 & 0x10) !== 0;
    const opcode = b0 & 0x0f;
    if ((rsv1 && !options.allowRsv1) || (rsv2 && !options.allowRsv2) || (rsv3 && !options.allowRsv3)) return fail(1002, 'reserved bit set');
    if (![0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode)) return fail(1002, `reserved opcode ${opcode}`);
    const control = opcode >= 0x8;
    let payloadLength: number;
    if (control) {
      if (!fin) return fail(1002, 'fragmented control frame');
      if (len7 > 125) return fail(1002, 'control frame over 125 bytes');
      payloadLength = len7;
    } else if (len7 === 126) {
      payloadLength = input.readUInt16BE(pos + 2);
      if (payloadLength < 126) return fail(1002, 'non-minimal 16-bit length');
    } else if (len7 === 127) {
      const announced = input.readBigUInt64BE(pos + 2);
      if (announced >= 2n ** 63n) return fail(1002, '64-bit length with the high bit set');
      if (announced >= 2n ** 53n) return fail(1009, 'length beyond 2^53 - 1');
      if (announced < 65_536n) return fail(1002, 'non-minimal 64-bit length');
      payloadLength = Number(announced);
    } else {
      payloadLength = len7;
    }
    // An uncompressed data frame longer than maxPayload can only end in an error; refusing it
    // as soon as its header is complete (1009) is as right as waiting for its bytes.
    oversized = !control && !rsv1 && payloadLength > maxPayload;
    const key = masked ? input.subarray(pos + headerLength - 4, pos + headerLength) : null;
    pos += headerLength;
    const available = Math.min(payloadLength, n - pos);
    if (available === 0 && payloadLength > 0) return eof('before the payload');

    // The frame's first piece is there.
    if (masked !== requireMask) return fail(1002, requireMask ? 'unmasked frame to a server' : 'masked frame to a client');
    const payload = Buffer.from(input.subarray(pos, pos + available));
    if (key) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!;

    if (control) {
      if (rsv1) return fail(1002, 'RSV1 on a control frame');
      if (available < payloadLength) return eof('in a control frame');
      pos += payloadLength;
      if (opcode !== 0x8) {
        messages.push({ type: opcode === 0x9 ? 'ping' : 'pong', data: payload });
        continue;
      }
      if (payload.length === 0) {
        messages.push({ type: 'close', reason: '' });
        continue;
      }
      if (payload.length === 1) return fail(1002, '1-byte close payload');
      const code = payload.readUInt16BE(0);
      if (!isWireCloseCode(code)) return fail(1002, `close code ${code}`);
      if (!isUtf8Reference(payload.subarray(2))) return fail(1007, 'close reason not UTF-8');
      messages.push({ type: 'close', code, reason: payload.subarray(2).toString('utf8') });
      continue;
    }

    if (opcode === 0x0) {
      if (kind === null) return fail(1002, 'continuation without a message');
      if (rsv1) return fail(1002, 'RSV1 on a continuation frame');
      if (++fragments > maxFragments) return fail(1009, 'too many fragments');
    } else {
      if (kind !== null) return fail(1002, 'new data frame inside a fragmented message');
      kind = opcode === 0x1 ? 'text' : 'binary';
      compressed = rsv1;
      fragments = 1;
    }
    for (let i = 0; i < available; i++) {
      if (compressed) return fail(1002, 'RSV1 data without a compression extension');
      if (length + 1 > maxPayload) return fail(1009, 'message over maxPayload');
      if (kind === 'text' && !utf8.push(payload[i]!)) {
        // The whole of this frame's bytes may have arrived as one piece, size-checked first.
        return fail(1007, 'invalid UTF-8', length + (available - i) > maxPayload ? [1009] : []);
      }
      length++;
    }
    parts.push(payload);
    if (available < payloadLength) return eof('in a data frame');
    pos += payloadLength;
    if (!fin) continue;
    if (payloadLength === 0 && compressed) return fail(1002, 'RSV1 data without a compression extension');
    if (kind === 'text' && !utf8.complete) return fail(1007, 'text ends inside a code point');
    const data = Buffer.concat(parts);
    messages.push(kind === 'text' ? { type: 'text', data: data.toString('utf8') } : { type: 'binary', data });
    kind = null;
    compressed = false;
    length = 0;
    parts = [];
    utf8 = new Utf8Prefix();
  }
  if (kind !== null) return eof('inside a fragmented message');
  return { messages, closeCode: null, reason: 'valid', alternatives: [] };
}

// ---------------------------------------------------------------------------------------
// Running and checking

export interface Outcome {
  messages: Message[];
  error: unknown;
  timedOut: boolean;
  /** Something thrown where nothing may throw (building the chain, or out of a stream). */
  thrown: unknown;
}

/** Decodes the case's chunks with its path; a stream case that does not end within `timeoutMs` is a hang. */
export function runCase(c: FuzzCase, timeoutMs = 2000): Promise<Outcome> {
  const chunks = rechunk(c.bytes, c.chunkPlan, CHUNK_BUDGET);
  const messages: Message[] = [];
  if (c.path === 'core') {
    let error: unknown = null;
    let thrown: unknown = null;
    try {
      const core = createDecoderCore(c.options, { accept: (message) => messages.push(message) });
      try {
        for (const chunk of chunks) core.accept(chunk);
        core.finish();
      } catch (caught) {
        error = caught;
      }
    } catch (caught) {
      thrown = caught;
    }
    return Promise.resolve({ messages, error, timedOut: false, thrown });
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ messages, error: null, timedOut: true, thrown: null }), timeoutMs);
    try {
      const sink = new Writable({
        objectMode: true,
        write(message: Message, _encoding, callback) {
          messages.push(message);
          callback();
        },
      });
      const stages = decoderStages(c.path as 'fused' | 'separate', c.options);
      pipeline([Readable.from(chunks, { objectMode: false }), ...stages, sink] as unknown as [Readable, ...Transform[], Writable], (error) =>
        settle({ messages, error: error ?? null, timedOut: false, thrown: null }),
      );
    } catch (caught) {
      settle({ messages, error: null, timedOut: false, thrown: caught });
    }
  });
}

const ALLOWED_CLOSE_CODES = new Set([1002, 1007, 1009]);

function describeError(error: unknown): string {
  if (error instanceof WebSocketError) return `${error.code}/${error.closeCode} (${error.message})`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Null when the outcome is right, else why not. Always: no throw, no hang, well-formed
 * messages, and either no error or a WebSocketError with 1002/1007/1009, or 1006
 * (WS_ERR_UNEXPECTED_EOF). Then, against the reference: the same messages and no error for
 * a valid stream; for an invalid one the reference's close code (or an alternative) and the
 * messages before the violation (a prefix of them through streams, whose buffered records
 * are dropped when the pipeline is destroyed).
 */
export function checkCase(c: FuzzCase, outcome: Outcome, expectation: Expectation = referenceDecode(c.bytes, c.options)): string | null {
  if (outcome.thrown !== null) return `threw out of the decoder: ${describeError(outcome.thrown)}`;
  if (outcome.timedOut) return 'did not finish in time (hang)';
  for (const message of outcome.messages) {
    const problem = checkMessageShape(message);
    if (problem !== null) return `malformed message: ${problem}`;
  }
  const error = outcome.error;
  if (error !== null) {
    if (!(error instanceof WebSocketError)) return `failed with something other than a WebSocketError: ${describeError(error)}`;
    const eof = error.closeCode === 1006 && error.code === 'WS_ERR_UNEXPECTED_EOF';
    if (!ALLOWED_CLOSE_CODES.has(error.closeCode) && !eof) return `unexpected close code: ${describeError(error)}`;
  }
  if (expectation.closeCode === null) {
    if (error !== null) return `failed on a valid stream: ${describeError(error)}`;
    const difference = diffMessages(outcome.messages, expectation.messages);
    return difference === null ? null : `wrong messages: ${difference}`;
  }
  if (error === null) return `no error; expected ${expectation.closeCode} (${expectation.reason})`;
  const closeCode = (error as WebSocketError).closeCode;
  if (closeCode !== expectation.closeCode && !expectation.alternatives.includes(closeCode)) {
    return `close code ${describeError(error)}; expected ${expectation.closeCode} (${expectation.reason})`;
  }
  const difference = diffMessages(outcome.messages, expectation.messages, c.path !== 'core');
  return difference === null ? null : `wrong messages before the error: ${difference}`;
}

/** A one-line description of a case, enough to reproduce it: the seed says everything. */
export function describeCase(c: FuzzCase): string {
  const { role, ...limits } = c.options;
  return (
    `seed ${c.seed} (${c.mode}, ${c.path}, ${role}, ${JSON.stringify(limits)}, chunks [${c.chunkPlan}], ` +
    `${c.bytes.length} bytes${c.mutations.length ? `, mutations ${c.mutations.join(' ')}` : ''})` +
    (c.bytes.length <= 64 ? ` bytes ${c.bytes.toString('hex')}` : ` first bytes ${c.bytes.subarray(0, 32).toString('hex')}`)
  );
}

/** Records anything that escapes as an uncaught exception or unhandled rejection. */
export function guardUncaught(): { escaped: unknown[]; dispose(): void } {
  const escaped: unknown[] = [];
  const onError = (error: unknown) => escaped.push(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    escaped,
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

/** Runs and checks one seed; also fails if anything escaped meanwhile. */
export async function fuzzOne(seed: number, escaped: unknown[], timeoutMs = 2000, mode?: FuzzMode): Promise<{ c: FuzzCase; failure: string | null; outcome: Outcome }> {
  const c = generateCase(seed, mode);
  const before = escaped.length;
  const outcome = await runCase(c, timeoutMs);
  let failure = checkCase(c, outcome);
  if (failure === null && c.intended !== undefined && c.options.maxPayload === undefined && c.options.maxFragments === undefined) {
    // The reference itself is checked against what a valid stream was built from.
    const reference = referenceDecode(c.bytes, c.options);
    const difference = reference.closeCode === null ? diffMessages(reference.messages, c.intended) : `reference failed: ${reference.reason}`;
    if (difference !== null) failure = `reference decoder disagrees with the generator: ${difference}`;
  }
  if (escaped.length > before) failure = `escaped as uncaught: ${describeError(escaped[before])}${failure ? `; ${failure}` : ''}`;
  return { c, failure, outcome };
}
