import type { Transform } from 'node:stream';
import { DECODE_STAGE_NAMES, decodeStages, ENCODE_STAGE_NAMES, encodeStages, fuseStages, namedStage, type NamedStage } from '../transforms/chain-stages.js';
import { deflateStageOptions } from '../transforms/deflate/index.js';
import type { EncoderInput } from '../transforms/encode/message-encoder.js';
import { StageTransform, type FusedCore, type RecordSink } from '../transforms/stage.js';
import { MessageStreamerCore, type InboundRecord } from './message-stream.js';
import type { ConnectionOptions, StageInsertion } from './options.js';
import { StagePipeline } from './stage-pipeline.js';

export type { InboundRecord } from './message-stream.js';

/** A connection's decode or encode chain. */
export interface Chain<In> extends RecordSink<In> {
  finish(): void;
  /** Whether a stage works asynchronously (zlib, or user Transforms): feed more only after `whenSettled`. */
  readonly async: boolean;
  /** Calls back once everything accepted was passed on (at once for a synchronous chain), or with the error that stopped it. */
  whenSettled(callback: (error: Error | null) => void): void;
  /** Releases resources (zlib engines, streams). */
  destroy(error?: Error): void;
}

/**
 * Bytes → inbound records for a connection: the decode chain (with Inflate when
 * permessage-deflate was agreed, and MessageStreamer in place of MessageDecoder when
 * messages are streamed), fused unless user stages are inserted.
 */
export function buildInbound(options: ConnectionOptions, sink: RecordSink<InboundRecord>, onError: (error: Error) => void): Chain<Buffer> {
  const deflate = options.deflate ? deflateStageOptions(options.deflate, options.role) : undefined;
  const tail = options.streamMessages
    ? namedStage('MessageDecoder', (next: RecordSink<never>) => new MessageStreamerCore(next))
    : undefined;
  const stages = decodeStages({ ...options, inflate: deflate?.inflate }, tail);
  return build<Buffer>(stages, options.stages?.decode ?? [], DECODE_STAGE_NAMES, sink as RecordSink<unknown>, onError, 'bytes-in');
}

/** Outbound messages → bytes for a connection: the encode chain, fused unless user stages are inserted. */
export function buildOutbound(options: ConnectionOptions, sink: RecordSink<Buffer>, onError: (error: Error) => void): Chain<EncoderInput> {
  const deflate = options.deflate ? deflateStageOptions(options.deflate, options.role) : undefined;
  const stages = encodeStages({ ...options, deflate: deflate?.deflate });
  return build<EncoderInput>(stages, options.stages?.encode ?? [], ENCODE_STAGE_NAMES, sink as RecordSink<unknown>, onError, 'bytes-out');
}

function build<In>(
  specs: NamedStage[],
  insertions: ReadonlyArray<StageInsertion<string>>,
  positions: readonly string[],
  sink: RecordSink<unknown>,
  onError: (error: Error) => void,
  bytesAt: 'bytes-in' | 'bytes-out',
): Chain<In> {
  if (insertions.length === 0) return fuseStages<In>(specs, sink);
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
  let segment: NamedStage[] = [];
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
          const chain = fuseStages<unknown>(fusedSpecs, next);
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
    async: true,
    accept: (record) => pipelineCore.accept(record),
    finish: () => pipelineCore.finish(),
    whenSettled: (callback) => pipelineCore.whenSettled(callback),
    destroy: (error) => {
      for (const core of cores) core.destroy(error);
      pipelineCore.destroy();
    },
  };
}
