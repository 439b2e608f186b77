/**
 * fast-check generators of message sequences, and the three ways to run the encode chain
 * (fused core, fused Duplex, the four separate Transforms piped), for round-trip properties.
 * Expected messages are built from the generated values alone, never by the codec.
 */
import fc from 'fast-check';
import { pipeline, Readable, Writable, type Transform } from 'node:stream';
import {
  createEncoder,
  createEncoderCore,
  Fragmenter,
  FrameSerializer,
  Masker,
  MessageEncoder,
  type EncoderInput,
  type CreateEncoderOptions,
  type Message,
  type MessagePart,
  type OutgoingMessage,
  type Role,
} from '../../src/transforms/index.js';
import { fillBytes } from './rng.js';

/** One generated message: what is given to the encoder and what must come out of the decoder. */
export interface Generated {
  inputs: EncoderInput[];
  expected: Message[];
}

/** The control messages a generated sequence may interleave. */
export type ControlInput = Extract<OutgoingMessage, { type: 'ping' | 'pong' }>;

/** Binary lengths: mostly small, some across the 16/64-bit length boundaries, a few up to ~200 KB. */
export const binaryLength = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 300 }), weight: 12 },
  { arbitrary: fc.constantFrom(0, 1, 125, 126, 127, 65_535, 65_536, 65_537), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 70_000 }), weight: 2 },
  { arbitrary: fc.integer({ min: 65_536, max: 200_000 }), weight: 1 },
);

/** A Buffer of the given length with pseudo-random bytes (shrinks by length, not byte by byte). */
export const binaryBuffer = (length: fc.Arbitrary<number> = binaryLength): fc.Arbitrary<Buffer> =>
  fc.tuple(length, fc.integer()).map(([n, seed]) => fillBytes(Buffer.allocUnsafe(n), seed));

/** Unicode text with astral characters: mostly short, occasionally long (repeated). */
export const unicodeText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 10 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), fc.integer({ min: 100, max: 2000 }))
      .map(([s, n]) => s.repeat(n)),
    weight: 1,
  },
);

/** The same bytes as Buffer, Uint8Array, ArrayBuffer or DataView, at an offset in a larger buffer. */
function asView(data: Buffer, kind: number): Buffer | Uint8Array | ArrayBuffer | DataView {
  if (kind === 0) return Buffer.from(data);
  const backing = new ArrayBuffer(data.length + 8);
  new Uint8Array(backing).set(data, kind === 3 ? 0 : 5);
  if (kind === 1) return new Uint8Array(backing, 5, data.length);
  if (kind === 2) return new DataView(backing, 5, data.length);
  return backing.slice(0, data.length);
}

export const textMessage: fc.Arbitrary<Generated> = unicodeText.map((data) => ({
  inputs: [{ type: 'text', data }],
  expected: [{ type: 'text', data }],
}));

export const binaryMessage: fc.Arbitrary<Generated> = fc
  .tuple(binaryBuffer(), fc.integer({ min: 0, max: 6 }))
  .map(([data, view]) => ({
    // The expected copy is taken before encoding: a stage that wrote to the caller's buffer is caught.
    inputs: [{ type: 'binary', data: asView(data, view > 3 ? 0 : view) }],
    expected: [{ type: 'binary', data: Buffer.from(data) }],
  }));

/** Ping/pong with at most 125 bytes, given as a Buffer, a string or nothing. */
export const controlMessage: fc.Arbitrary<{ input: ControlInput; expected: Message }> = fc
  .tuple(
    fc.constantFrom('ping' as const, 'pong' as const),
    fc.oneof(
      fc.uint8Array({ maxLength: 125 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 31 }),
      fc.constant(undefined),
    ),
  )
  .map(([type, data]) => {
    const bytes = data === undefined ? Buffer.alloc(0) : Buffer.from(data);
    const input: ControlInput = data === undefined ? { type } : { type, data: typeof data === 'string' ? data : Buffer.from(data) };
    return { input, expected: { type, data: bytes } };
  });

export const controlGenerated: fc.Arbitrary<Generated> = controlMessage.map(({ input, expected }) => ({ inputs: [input], expected: [expected] }));

/** Close codes that may be sent (RFC 6455 §7.4). */
export const validCloseCode = fc.oneof(
  fc.integer({ min: 1000, max: 1003 }),
  fc.integer({ min: 1007, max: 1014 }),
  fc.integer({ min: 3000, max: 4999 }),
);

/** A close with no code, a code only, or a code and a reason of at most 30 code points (≤ 120 bytes). */
export const closeMessage: fc.Arbitrary<Generated> = fc.oneof(
  fc.constant<Generated>({ inputs: [{ type: 'close', reason: '' }], expected: [{ type: 'close', reason: '' }] }),
  fc.tuple(validCloseCode, fc.string({ unit: 'binary', maxLength: 30 })).map(([code, reason]): Generated => ({
    inputs: [{ type: 'close', code, reason }],
    expected: [{ type: 'close', code, reason }],
  })),
);

/**
 * A data message given as several MessageParts (text cut at arbitrary byte positions, also
 * inside a code point; empty parts included), with ping/pong interleaved between parts.
 * The control messages come out first, as they are complete at once; the data message
 * comes out when its last part has been decoded.
 */
export const partedMessage: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.oneof(
      unicodeText.map((text) => ({ kind: 'text' as const, bytes: Buffer.from(text), expected: { type: 'text', data: text } as Message })),
      binaryBuffer().map((data) => ({ kind: 'binary' as const, bytes: data, expected: { type: 'binary', data: Buffer.from(data) } as Message })),
    ),
    fc.array(fc.nat(), { maxLength: 8 }),
    fc.array(fc.option(controlMessage, { freq: 2 }), { minLength: 9, maxLength: 9 }),
    fc.boolean(),
  )
  .map(([message, cutSeeds, controls, emptyLast]) => {
    const length = message.bytes.length;
    const cuts = cutSeeds.map((seed) => (length === 0 ? 0 : seed % (length + 1))).sort((a, b) => a - b);
    const bounds = [0, ...cuts, length];
    const inputs: EncoderInput[] = [];
    const expected: Message[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const last = i + 2 === bounds.length && !emptyLast;
      const part: MessagePart = { kind: message.kind, rsv: 0, data: message.bytes.subarray(bounds[i]!, bounds[i + 1]!), last };
      inputs.push(part);
      const control = controls[i];
      if (!last && control) {
        inputs.push(control.input);
        expected.push(control.expected);
      }
    }
    if (emptyLast) inputs.push({ kind: message.kind, rsv: 0, data: Buffer.alloc(0), last: true });
    expected.push(message.expected);
    return { inputs, expected };
  });

/** A sequence of messages, optionally ending with a close. */
export function messageSequence(options: { maxLength?: number; parted?: boolean } = {}): fc.Arbitrary<Generated> {
  const item = fc.oneof(
    { arbitrary: textMessage, weight: 4 },
    { arbitrary: binaryMessage, weight: 4 },
    { arbitrary: controlGenerated, weight: 2 },
    { arbitrary: partedMessage, weight: options.parted ? 3 : 0 },
  );
  return fc
    .tuple(fc.array(item, { maxLength: options.maxLength ?? 8 }), fc.option(closeMessage, { freq: 3 }))
    .map(([items, close]) => {
      const all = close ? [...items, close] : items;
      return { inputs: all.flatMap((g) => g.inputs), expected: all.flatMap((g) => g.expected) };
    });
}

export const fragmentSize = fc.option(
  fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 100_000 })),
  { freq: 3, nil: undefined },
);

export const role = fc.constantFrom<Role>('client', 'server');

/** A chunk-size plan (cycled): 1-byte chunks are common. */
export const chunkPlan = fc.array(
  fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 1, max: 100_000 })),
  { minLength: 1, maxLength: 6 },
);

export type EncodePath = 'core' | 'stream' | 'separate';

/** The decoder role that receives what `role` sends. */
export function peerRole(role: Role): Role {
  return role === 'client' ? 'server' : 'client';
}

/** Encodes with one of the three encode paths; resolves to the bytes written. */
export async function encodeWith(path: EncodePath, inputs: readonly EncoderInput[], options: CreateEncoderOptions): Promise<Buffer> {
  if (path === 'core') {
    const out: Buffer[] = [];
    const core = createEncoderCore(options, { accept: (chunk) => out.push(chunk) });
    for (const input of inputs) core.accept(input);
    core.finish();
    return Buffer.concat(out);
  }
  const stages: Transform[] =
    path === 'stream'
      ? [createEncoder(options)]
      : [new MessageEncoder(), new Fragmenter({ fragmentSize: options.fragmentSize }), new Masker({ role: options.role }), new FrameSerializer()];
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await new Promise<void>((resolve, reject) => {
    pipeline([Readable.from(inputs, { objectMode: true }), ...stages, sink] as unknown as [Readable, ...Transform[], Writable], (error) =>
      error ? reject(error) : resolve(),
    );
  });
  return Buffer.concat(out);
}
