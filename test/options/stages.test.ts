/**
 * Every option of the stream stages, checked at the call: `createDecoder`, `createEncoder`
 * and each stage constructor (HeaderParser, Unmasker, Defragmenter, MessageDecoder,
 * MessageEncoder, Fragmenter, Masker, FrameSerializer, Inflate, Deflate). A wrong type is
 * a TypeError (ERR_INVALID_ARG_TYPE) naming the option's path, a value out of range a
 * RangeError (ERR_OUT_OF_RANGE) naming it and its range; a good value gives a working stage.
 * Rows with a `gap` note show what the library does not check yet (reported).
 */
import type { Transform } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createDecoder,
  createEncoder,
  Defragmenter,
  Deflate,
  FrameSerializer,
  HeaderParser,
  Inflate,
  Masker,
  MessageDecoder,
  MessageEncoder,
  Fragmenter,
  Unmasker,
  ZlibEnginePool,
  ZlibLimiter,
  type CreateDecoderOptions,
  type CreateEncoderOptions,
  type DeflateOptions,
  type FragmenterOptions,
  type HeaderParserOptions,
  type InflateOptions,
  type Message,
  type StageStreamOptions,
  type UnmaskerOptions,
  type MaskerOptions,
  type DefragmenterOptions,
  type MessageDecoderOptions,
} from '../../src/transforms/index.js';
import { FRAGMENTER_SCHEMA } from '../../src/transforms/encode/fragmenter.js';
import type { FrameSerializerOptions } from '../../src/transforms/encode/frame-serializer.js';
import { RESERVED_BITS_SCHEMA, ROLE_SCHEMA } from '../../src/transforms/limits.js';
import { UNMASKER_SCHEMA } from '../../src/transforms/decode/unmasker.js';
import { CREATE_DECODER_SCHEMA } from '../../src/transforms/decoder.js';
import { CREATE_ENCODER_SCHEMA } from '../../src/transforms/encoder.js';
import { MemoryBudget } from '../../src/transforms/memory-budget.js';
import { frame, MASK } from '../helpers/frames.js';
import { mentions } from '../helpers/option-rows.js';
import { assertSameNames, checkRow, row, type Covered, type EntryPoint, type OptionRow, type Options, type PathsOf } from '../helpers/option-table.js';
import { nextEvent } from '../helpers/timeouts.js';


const batch = row('batch', { wrongType: ['yes', 1], good: true });
const role = row('role', { wrongType: [5, undefined], outOfRange: ['peer', 'SERVER'], range: mentions('server', 'client'), good: 'client' });
const maxPayload = row('maxPayload', { wrongType: ['1000', null], outOfRange: [-1, 1.5, NaN], range: mentions('integer', 0), good: 1000 });
const maxFragments = row('maxFragments', { wrongType: ['8'], outOfRange: [0, -1, 1.5], range: mentions('integer', 1), good: 8 });
const reservedBits = [
  row('allowRsv1', { wrongType: ['yes', 1], good: true }),
  row('allowRsv2', { wrongType: ['no', 0], good: true }),
  row('allowRsv3', { wrongType: [null, 'true'], good: true }),
] as const;
const fragmentSize = row('fragmentSize', { wrongType: ['1024'], outOfRange: [0, -1, 2.5], range: mentions('integer', 1), good: 1024 });

/** Inflate's options, under `prefix` (createDecoder's `inflate`) or at the top (the stage). */
function inflateRows<const P extends string>(prefix: P) {
  const at = <const N extends string>(name: N) => `${prefix}${name}` as `${P}${N}`;
  return [
    row(at('windowBits'), { wrongType: ['15', true], outOfRange: [7, 16, 9.5], range: mentions(8, 15), good: 10 }),
    row(at('noContextTakeover'), { wrongType: ['yes', 1], good: true }),
    row(at('maxPayload'), { wrongType: ['1000'], outOfRange: [-1, 1.5], range: mentions('integer', 0), good: 1000 }),
    row(at('limiter'), { wrongType: [5, {}], good: new ZlibLimiter(1) }),
    row(at('enginePool'), { wrongType: [5, {}], good: new ZlibEnginePool(2), with: { [`${prefix}noContextTakeover`]: true } }),
  ] as const;
}

/** Deflate's options, under `prefix` (createEncoder's `deflate`) or at the top (the stage). */
function deflateRows<const P extends string>(prefix: P) {
  const at = <const N extends string>(name: N) => `${prefix}${name}` as `${P}${N}`;
  return [
    // zlib turns windowBits 8 into 9 when compressing, so 9 is the least a compressor agrees to.
    row(at('windowBits'), { wrongType: ['15'], outOfRange: [8, 16, 10.5], range: mentions(9, 15), good: 9 }),
    row(at('noContextTakeover'), { wrongType: ['no', 0], good: true }),
    row(at('level'), { wrongType: ['9'], outOfRange: [42, 10, -2, 1.5], range: mentions(-1, 9), good: 1 }),
    row(at('memLevel'), { wrongType: ['8'], outOfRange: [0, 10], range: mentions(1, 9), good: 9 }),
    row(at('threshold'), { wrongType: ['1024'], outOfRange: [-1, 0.5], range: mentions('integer', 0), good: 0 }),
    row(at('limiter'), { wrongType: [5, {}], good: new ZlibLimiter(1) }),
    row(at('enginePool'), { wrongType: [5, {}], good: new ZlibEnginePool(2) }),
  ] as const;
}

const extensionsRow = row('extensions', { wrongType: [5, 'permessage-deflate', {}], good: [] });

const DECODER_ROWS = [
  { ...role, wrongType: [5] },
  row('role', {
    wrongType: [undefined],
    good: 'server'
  }),
  maxPayload,
  maxFragments,
  { ...reservedBits[0] },
  { ...reservedBits[1] },
  { ...reservedBits[2] },
  extensionsRow,
  row('messageMemory', { wrongType: [5, {}], good: new MemoryBudget(1 << 20) }),
  row('inflate', { wrongType: [5, 'yes', true], good: {} }),
  ...inflateRows('inflate.'),
] as const;
const ENCODER_ROWS = [
  { ...role },
  fragmentSize,
  extensionsRow,
  row('separateMasker', { wrongType: ['yes', 1], good: true }),
  row('deflate', { wrongType: [5, 'yes', true], good: {} }),
  ...deflateRows('deflate.'),
] as const;

// A new option in an options interface without a row fails the type check here.
const decoderCovered: Covered<CreateDecoderOptions, PathsOf<typeof DECODER_ROWS>> = true;
const inflateCovered: Covered<InflateOptions, PathsOf<typeof DECODER_ROWS>, 'inflate'> = true;
const encoderCovered: Covered<CreateEncoderOptions, PathsOf<typeof ENCODER_ROWS>> = true;
const deflateCovered: Covered<DeflateOptions, PathsOf<typeof ENCODER_ROWS>, 'deflate'> = true;
void [decoderCovered, inflateCovered, encoderCovered, deflateCovered];

/** A stage's options table and how to make it. */
interface StageTable {
  name: string;
  make: (options: Options) => Transform;
  rows: readonly OptionRow[];
  /** The names of its schema, where the library exports one. */
  declared?: readonly string[];
  base?: Options;
}

const optionalRole = row('role', { wrongType: [5, true], outOfRange: ['peer', 'SERVER'], range: mentions('server', 'client'), good: 'server' });

const STAGE_ROWS = {
  HeaderParser: [...reservedBits, maxPayload, optionalRole, batch],
  Unmasker: [
    role,
    row('assembleFramesUpTo', { wrongType: ['1024', null], outOfRange: [-1, 1.5, NaN], range: mentions('integer', 0), good: 1024 }),
    row('messageMemory', { wrongType: [5, {}], good: new MemoryBudget(1 << 20) }),
    batch,
  ],
  Defragmenter: [maxFragments, batch],
  MessageDecoder: [maxPayload, row('messageMemory', { wrongType: [5, {}], good: new MemoryBudget(1 << 20) }), batch],
  MessageEncoder: [batch],
  Fragmenter: [fragmentSize, batch],
  Masker: [role, batch],
  Inflate: [...inflateRows(''), batch],
  Deflate: [...deflateRows(''), batch],
  FrameSerializer: [row('mask', { wrongType: ['yes', 1], good: true })],
} as const;

type StagePaths<K extends keyof typeof STAGE_ROWS> = PathsOf<(typeof STAGE_ROWS)[K]>;
const stagesCovered: Covered<HeaderParserOptions & StageStreamOptions, StagePaths<'HeaderParser'>> &
  Covered<UnmaskerOptions & StageStreamOptions, StagePaths<'Unmasker'>> &
  Covered<DefragmenterOptions & StageStreamOptions, StagePaths<'Defragmenter'>> &
  Covered<MessageDecoderOptions & StageStreamOptions, StagePaths<'MessageDecoder'>> &
  Covered<StageStreamOptions, StagePaths<'MessageEncoder'>> &
  Covered<FragmenterOptions & StageStreamOptions, StagePaths<'Fragmenter'>> &
  Covered<MaskerOptions & StageStreamOptions, StagePaths<'Masker'>> &
  Covered<InflateOptions & StageStreamOptions, StagePaths<'Inflate'>> &
  Covered<DeflateOptions & StageStreamOptions, StagePaths<'Deflate'>> &
  Covered<FrameSerializerOptions, StagePaths<'FrameSerializer'>> = true;
void stagesCovered;

const STAGES: readonly StageTable[] = [
  { name: 'new HeaderParser', make: (o) => new HeaderParser(o), rows: STAGE_ROWS.HeaderParser, declared: [...Object.keys(RESERVED_BITS_SCHEMA), 'maxPayload', 'role', 'batch'] },
  { name: 'new Unmasker', make: (o) => new Unmasker(o as unknown as UnmaskerOptions), rows: STAGE_ROWS.Unmasker, declared: [...Object.keys(UNMASKER_SCHEMA), 'batch'], base: { role: 'server' } },
  { name: 'new Defragmenter', make: (o) => new Defragmenter(o), rows: STAGE_ROWS.Defragmenter },
  { name: 'new MessageDecoder', make: (o) => new MessageDecoder(o), rows: STAGE_ROWS.MessageDecoder },
  { name: 'new MessageEncoder', make: (o) => new MessageEncoder(o), rows: STAGE_ROWS.MessageEncoder },
  { name: 'new Fragmenter', make: (o) => new Fragmenter(o), rows: STAGE_ROWS.Fragmenter, declared: [...Object.keys(FRAGMENTER_SCHEMA), 'batch'] },
  { name: 'new Masker', make: (o) => new Masker(o as unknown as MaskerOptions), rows: STAGE_ROWS.Masker, declared: [...Object.keys(ROLE_SCHEMA), 'batch'], base: { role: 'client' } },
  { name: 'new Inflate', make: (o) => new Inflate(o), rows: STAGE_ROWS.Inflate },
  { name: 'new Deflate', make: (o) => new Deflate(o), rows: STAGE_ROWS.Deflate },
  { name: 'new FrameSerializer', make: (o) => new FrameSerializer(o), rows: STAGE_ROWS.FrameSerializer },
];

/** Rejects with the first 'error' the stream emits (so a stage that fails later fails the test, not the process). */
function failure(stream: Transform): Promise<never> {
  return new Promise((_, reject) => stream.once('error', reject));
}

/** A stage made with a good value is a working Transform: it takes a write and finishes. */
function stageEntry(stage: StageTable): EntryPoint {
  return {
    name: stage.name,
    base: stage.base ?? {},
    call(options) {
      const transform = stage.make(options);
      return (async () => {
        transform.resume();
        const finished = nextEvent(transform, 'finish', 5000, `${stage.name} to finish`);
        transform.end();
        await Promise.race([finished, failure(transform)]);
        transform.destroy();
      })();
    },
  };
}

/** A decoder made with a good value decodes a frame of its peer (masked for a server). */
const decoderEntry: EntryPoint = {
  name: 'createDecoder',
  base: { role: 'server' },
  call(options) {
    const decoder = createDecoder(options as unknown as CreateDecoderOptions);
    return (async () => {
      const decoded = nextEvent<[Message]>(decoder, 'data', 5000, 'a decoded message');
      decoder.write(frame({ opcode: 0x1, payload: 'hi', ...(options.role === 'server' && { mask: MASK }) }));
      assert.equal((await Promise.race([decoded, failure(decoder)]))[0], { type: 'text', data: 'hi' });
      decoder.destroy();
    })();
  },
};

/** An encoder made with a good value encodes a message that the peer's decoder reads back. */
const encoderEntry: EntryPoint = {
  name: 'createEncoder',
  base: { role: 'client' },
  call(options) {
    const encoder = createEncoder(options as unknown as CreateEncoderOptions);
    return (async () => {
      const inflate = options.deflate === undefined ? undefined : {};
      const decoder = createDecoder({ role: options.role === 'client' ? 'server' : 'client', ...(inflate && { inflate }) });
      encoder.pipe(decoder);
      const decoded = nextEvent<[Message]>(decoder, 'data', 5000, 'the encoded message decoded');
      encoder.write({ type: 'text', data: 'x'.repeat(2000) });
      assert.equal((await Promise.race([decoded, failure(encoder), failure(decoder)]))[0], { type: 'text', data: 'x'.repeat(2000) });
      encoder.destroy();
      decoder.destroy();
    })();
  },
};

test('the decoder and encoder tables have a row for every option of their schemas', () => {
  assertSameNames(Object.keys(CREATE_DECODER_SCHEMA), DECODER_ROWS, 'createDecoder');
  assertSameNames(Object.keys(CREATE_ENCODER_SCHEMA), ENCODER_ROWS, 'createEncoder');
});

test('the stage tables have a row for every option of the schemas the stages export', () => {
  for (const stage of STAGES) if (stage.declared) assertSameNames(stage.declared, stage.rows, stage.name);
});

for (const option of DECODER_ROWS) test(`createDecoder: ${option.path}`, () => checkRow(decoderEntry, option));
for (const option of ENCODER_ROWS) test(`createEncoder: ${option.path}`, () => checkRow(encoderEntry, option));
for (const stage of STAGES) {
  const entry = stageEntry(stage);
  for (const option of stage.rows) test(`${stage.name}: ${option.path}`, () => checkRow(entry, option));
}

test.run();
