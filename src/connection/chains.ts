import type { Transform } from 'node:stream';
import { resolveMaxPayload } from '../transforms/limits.js';
import { DefragmenterCore } from '../transforms/decode/defragmenter.js';
import { HeaderParserCore } from '../transforms/decode/header-parser.js';
import { MessageDecoderCore } from '../transforms/decode/message-decoder.js';
import { UnmaskerCore } from '../transforms/decode/unmasker.js';
import { FragmenterCore } from '../transforms/encode/fragmenter.js';
import { FrameSerializerCore } from '../transforms/encode/frame-serializer.js';
import { MaskerCore } from '../transforms/encode/masker.js';
import { MessageEncoderCore, type EncoderInput } from '../transforms/encode/message-encoder.js';
import { DeflateCore, InflateCore, deflateStageOptions } from '../transforms/deflate/index.js';
import { FusedCore, StageTransform, type RecordSink, type StageCore } from '../transforms/stage.js';
import { MessageStreamerCore, type InboundRecord } from './message-stream.js';
import type { ConnectionOptions, CustomStages, DecodeStagePosition, EncodeStagePosition, StageInsertion } from './options.js';
import { StagePipeline } from './stage-pipeline.js';

export type { InboundRecord } from './message-stream.js';

/** A connection's decode or encode chain: a StageCore that can also release its resources. */
export interface Chain<In> extends StageCore<In> {
  destroy(error?: Error): void;
}

interface StageSpec {
  name: string;
  create(next: RecordSink<unknown>): StageCore<unknown>;
}

/** Names a core factory; records between stages are typed by the cores themselves. */
function stage<In, Out>(name: string, create: (next: RecordSink<Out>) => StageCore<In>): StageSpec {
  return { name, create: create as (next: RecordSink<unknown>) => StageCore<unknown> };
}

/**
 * Bytes → inbound records for a connection: HeaderParser → Unmasker → Defragmenter →
 * [Inflate] → MessageDecoder (or MessageStreamer), fused unless user stages are inserted.
 */
export function buildInbound(options: ConnectionOptions, sink: RecordSink<InboundRecord>, onError: (error: Error) => void): Chain<Buffer> {
  const deflate = options.deflate ? deflateStageOptions(options.deflate, options.role) : null;
  const specs: StageSpec[] = [
    stage('HeaderParser', (next: RecordSink<never>) =>
      new HeaderParserCore({ allowRsv1: deflate !== null, maxFramePayload: options.streamMessages ? undefined : resolveMaxPayload(options) }, next),
    ),
    stage('Unmasker', (next: RecordSink<never>) => new UnmaskerCore(options, next)),
    stage('Defragmenter', (next: RecordSink<never>) => new DefragmenterCore(options, next)),
  ];
  if (deflate) {
    const inflateOptions = { ...deflate.inflate, maxPayload: options.maxPayload };
    specs.push(stage('Inflate', (next: RecordSink<never>) => new InflateCore(inflateOptions, next)));
  }
  specs.push(
    options.streamMessages
      ? stage('MessageDecoder', (next: RecordSink<never>) => new MessageStreamerCore(next))
      : stage('MessageDecoder', (next: RecordSink<never>) => new MessageDecoderCore(options, next)),
  );
  return build<Buffer>(specs, options.stages?.decode ?? [], DECODE_POSITIONS, sink as RecordSink<unknown>, onError, 'bytes-in');
}

/**
 * Outbound messages → bytes for a connection: MessageEncoder → [Deflate] → Fragmenter →
 * Masker → FrameSerializer, fused unless user stages are inserted.
 */
export function buildOutbound(options: ConnectionOptions, sink: RecordSink<Buffer>, onError: (error: Error) => void): Chain<EncoderInput> {
  const deflate = options.deflate ? deflateStageOptions(options.deflate, options.role) : null;
  const specs: StageSpec[] = [stage('MessageEncoder', (next: RecordSink<never>) => new MessageEncoderCore(next))];
  if (deflate) {
    const deflateOptions = { ...deflate.deflate, threshold: options.deflate?.threshold, level: options.deflate?.level, memLevel: options.deflate?.memLevel };
    specs.push(stage('Deflate', (next: RecordSink<never>) => new DeflateCore(deflateOptions, next)));
  }
  specs.push(
    stage('Fragmenter', (next: RecordSink<never>) => new FragmenterCore(options, next)),
    stage('Masker', (next: RecordSink<never>) => new MaskerCore(options, next)),
    stage('FrameSerializer', (next: RecordSink<never>) => new FrameSerializerCore(next)),
  );
  return build<EncoderInput>(specs, options.stages?.encode ?? [], ENCODE_POSITIONS, sink as RecordSink<unknown>, onError, 'bytes-out');
}

/** Every decode position, in chain order (Inflate only exists with permessage-deflate). */
export const DECODE_POSITIONS: readonly DecodeStagePosition[] = ['HeaderParser', 'Unmasker', 'Defragmenter', 'Inflate', 'MessageDecoder'];
/** Every encode position, in chain order (Deflate only exists with permessage-deflate). */
export const ENCODE_POSITIONS: readonly EncodeStagePosition[] = ['MessageEncoder', 'Deflate', 'Fragmenter', 'Masker', 'FrameSerializer'];

/** Throws for a user stage placed after a stage that does not exist: a configuration error, caught before any connection. */
export function assertStagePositions(stages: CustomStages | undefined): void {
  check(stages?.decode ?? [], DECODE_POSITIONS);
  check(stages?.encode ?? [], ENCODE_POSITIONS);
}

function check(insertions: ReadonlyArray<StageInsertion<string>>, positions: readonly string[]): void {
  for (const insertion of insertions) {
    if (!positions.includes(insertion.after)) {
      throw new RangeError(`No stage named ${insertion.after} in this chain (stages: ${positions.join(', ')})`);
    }
    if (typeof insertion.create !== 'function') throw new TypeError(`The stage after ${insertion.after} needs a create() function`);
  }
}

function build<In>(
  specs: StageSpec[],
  insertions: ReadonlyArray<StageInsertion<string>>,
  positions: readonly string[],
  sink: RecordSink<unknown>,
  onError: (error: Error) => void,
  bytesAt: 'bytes-in' | 'bytes-out',
): Chain<In> {
  check(insertions, positions);
  if (insertions.length === 0) return fuse<In>(specs, sink);
  // A stage placed after Inflate/Deflate goes after the stage before it when compression is off.
  const present = (name: string): string => {
    for (let i = positions.indexOf(name); i >= 0; i--) {
      if (specs.some((spec) => spec.name === positions[i])) return positions[i]!;
    }
    return specs[0]!.name;
  };
  const placed = insertions.map((insertion) => ({ after: present(insertion.after), create: insertion.create }));
  // Cut the chain after each stage that has user stages behind it.
  const transforms: Transform[] = [];
  const cores: Array<FusedCore<unknown>> = [];
  let segment: StageSpec[] = [];
  specs.forEach((spec, index) => {
    segment.push(spec);
    const after = placed.filter((insertion) => insertion.after === spec.name);
    const last = index === specs.length - 1;
    if (after.length === 0 && !last) return;
    const first = transforms.length === 0;
    const fusedSpecs = segment;
    transforms.push(
      new StageTransform<unknown, unknown>(
        (next) => {
          const chain = fuse<unknown>(fusedSpecs, next);
          cores.push(chain);
          return chain;
        },
        {
          writableObjectMode: !(first && bytesAt === 'bytes-in'),
          readableObjectMode: !(last && bytesAt === 'bytes-out'),
        },
      ),
    );
    for (const insertion of after) transforms.push(insertion.create());
    segment = [];
  });
  const pipelineCore = new StagePipeline<In, unknown>(transforms, sink, onError);
  return {
    accept: (record) => pipelineCore.accept(record),
    finish: () => pipelineCore.finish(),
    whenSettled: (callback) => pipelineCore.whenSettled(callback),
    destroy: (error) => {
      for (const core of cores) core.destroy(error);
      pipelineCore.destroy();
    },
  };
}

/** The stages as direct calls: the fast default path. */
function fuse<In>(specs: StageSpec[], sink: RecordSink<unknown>): FusedCore<In> {
  const cores: StageCore<unknown>[] = [];
  let next: RecordSink<unknown> = sink;
  for (let i = specs.length - 1; i >= 0; i--) {
    const core = specs[i]!.create(next);
    cores.unshift(core);
    next = core;
  }
  return new FusedCore<In>(cores[0] as StageCore<In>, cores as StageCore<never>[]);
}
