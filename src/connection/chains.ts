import type { Transform } from 'node:stream';
import {
  DECODE_STAGE_NAMES,
  decodeStages,
  ENCODE_STAGE_NAMES,
  encodeStages,
  fuseStages,
  namedStage,
  type NamedStage,
} from '../transforms/chain-stages.js';
import type { EncoderInput } from '../transforms/encode/message-encoder.js';
import { StageTransform, type FusedCore, type RecordSink } from '../transforms/stage.js';
import { processMessageMemory } from '../transforms/memory-budget.js';
import { MessageStreamerCore, type InboundRecord } from './message-stream.js';
import { rateLimit } from './rate-limit.js';
import type { ConnectionOptions, CustomStages, StageInsertion } from './options.js';
import { StagePipeline } from './stage-pipeline.js';
import { optionRangeError, optionTypeError } from '../validation/schema.js';

export type { InboundRecord } from './message-stream.js';

/** Whom a chain reports an asynchronous stage's failure to (a Transform the user inserted). */
export interface ChainHost {
  fail(error: Error): void;
}

/** A connection's decode or encode chain. */
export interface Chain<In> extends RecordSink<In> {
  /** Whether a stage works asynchronously (zlib, or user Transforms): feed more only after `whenSettled`. */
  readonly async: boolean;
  /** Calls back once everything accepted was passed on (at once for a synchronous chain), or with the error that stopped it. */
  whenSettled(callback: (error: Error | null) => void): void;
  /** Releases resources (zlib engines, streams). */
  destroy(error?: Error): void;
}

/**
 * Bytes → inbound records for a connection: the decode chain of its role with the
 * negotiated extensions (and MessageStreamer in place of MessageDecoder when messages are
 * streamed), with the user's stages in place. All stays fused unless a user stage is a
 * Transform.
 */
export function buildInbound(options: ConnectionOptions, sink: RecordSink<InboundRecord>, host: ChainHost): Chain<Buffer> {
  const tail = options.streamMessages
    ? namedStage('MessageStreamer', (next: RecordSink<never>) => new MessageStreamerCore(next))
    : undefined;
  // Only what the decode chain reads: a copy of all the options cost every handshake.
  const stages = decodeStages(
    {
      role: options.role,
      maxPayload: options.maxPayload,
      maxFragments: options.maxFragments,
      extensions: options.extensionStages,
      messageMemory: options.messageMemory ?? processMessageMemory,
    },
    tail,
  );
  const insertions = options.stages?.decode ?? [];
  // The rate limit goes first after HeaderParser, ahead of the user's stages there.
  const all = options.rateLimit ? [rateLimit(options.rateLimit), ...insertions] : insertions;
  return build<Buffer>(stages, all, DECODE_ORDER, sink as RecordSink<unknown>, host, 'bytes-in');
}

/** Outbound messages → bytes for a connection: the encode chain of its role, likewise. */
export function buildOutbound(options: ConnectionOptions, sink: RecordSink<Buffer>, host: ChainHost): Chain<EncoderInput> {
  const insertions = options.stages?.encode ?? [];
  // A stage placed after 'Masker' must see masked frames: keep masking a stage of its own then.
  const separateMasker = insertions.some((insertion) => insertion.after === 'Masker');
  const stages = encodeStages({ role: options.role, fragmentSize: options.fragmentSize, extensions: options.extensionStages, separateMasker });
  return build<EncoderInput>(stages, insertions, ENCODE_ORDER, sink as RecordSink<unknown>, host, 'bytes-out');
}

/**
 * Throws for a user stage placed after a stage no chain can have (a RangeError listing
 * those it can: the built-in stages and `extensionNames`), or one that gives neither or
 * both of `core` and `create` (a TypeError).
 */
export function checkStages(stages: CustomStages | undefined, extensionNames: readonly string[]): void {
  const check = (insertions: ReadonlyArray<StageInsertion<string>>, builtIn: readonly string[], chain: string): void => {
    const positions = [...builtIn, ...extensionNames];
    for (const [index, insertion] of insertions.entries()) {
      const path = `stages.${chain}[${index}]`;
      if (!positions.includes(insertion.after)) {
        throw optionRangeError(`The "${path}.after" option must name a stage: ${positions.join(', ')}. Received "${insertion.after}"`);
      }
      if ((insertion.core === undefined) === (insertion.create === undefined)) {
        throw optionTypeError(`The "${path}" option must give either "core" (a fused stage) or "create" (a Transform), not ${insertion.core ? 'both' : 'neither'}`, 'ERR_INVALID_ARG_TYPE');
      }
    }
  };
  check(stages?.decode ?? [], DECODE_STAGE_NAMES, 'decode');
  check(stages?.encode ?? [], ENCODE_STAGE_NAMES, 'encode');
}

/**
 * The user's stages for one connection: those placed after an extension that was not
 * agreed go where that extension's stage would have been (after the built-in stage the
 * extensions follow), so they see the records they would have seen there.
 */
export function placeStages(stages: CustomStages | undefined, agreed: readonly string[]): CustomStages | undefined {
  if (stages === undefined) return undefined;
  const place = <P extends string>(insertions: ReadonlyArray<StageInsertion<P>> | undefined, order: ChainOrder): Array<StageInsertion<P>> =>
    (insertions ?? []).map((insertion) =>
      order.names.includes(insertion.after) || agreed.includes(insertion.after) ? insertion : { ...insertion, after: order.extensionsAfter as P },
    );
  return { decode: place(stages.decode, DECODE_ORDER), encode: place(stages.encode, ENCODE_ORDER) };
}

/**
 * Where a user stage goes when the built-in stage it names is not in this chain (a client
 * has no Unmasker, a server no Masker): after the nearest one before it, so that it sees
 * the records it would have seen there.
 */
function presentStage(name: string, specs: readonly NamedStage[], order: ChainOrder): string {
  const has = (stage: string): boolean => specs.some((spec) => spec.name === stage);
  if (has(name)) return name;
  const builtIn = order.names;
  for (let i = builtIn.indexOf(name); i >= 0; i--) if (has(builtIn[i]!)) return builtIn[i]!;
  return specs[0]!.name;
}

/** A chain's built-in stage names in order, and the one its extensions' stages follow. */
interface ChainOrder {
  names: readonly string[];
  extensionsAfter: string;
}
const DECODE_ORDER: ChainOrder = { names: DECODE_STAGE_NAMES, extensionsAfter: 'Defragmenter' };
const ENCODE_ORDER: ChainOrder = { names: ENCODE_STAGE_NAMES, extensionsAfter: 'MessageEncoder' };

function build<In>(
  specs: NamedStage[],
  insertions: ReadonlyArray<StageInsertion<string>>,
  order: ChainOrder,
  sink: RecordSink<unknown>,
  host: ChainHost,
  bytesAt: 'bytes-in' | 'bytes-out',
): Chain<In> {
  if (insertions.length === 0) return fuseStages<In>(specs, sink);
  // User stages that are StageCores join the fused list; Transforms cut it into segments.
  const placed: Array<{ after: string; stage: NamedStage | (() => Transform) }> = insertions.map((insertion, index) => ({
    after: presentStage(insertion.after, specs, order),
    stage: insertion.core ? namedStage(`${insertion.after}+${index}`, insertion.core) : insertion.create!,
  }));
  const all: Array<NamedStage | (() => Transform)> = [];
  for (const spec of specs) {
    all.push(spec);
    for (const insertion of placed) if (insertion.after === spec.name) all.push(insertion.stage);
  }
  if (!all.some((stage) => typeof stage === 'function')) return fuseStages<In>(all as NamedStage[], sink);
  return pipelineOf<In>(all, sink, (error) => host.fail(error), bytesAt);
}

/** Fused segments with the user's Transforms between them, driven as one chain. */
function pipelineOf<In>(
  all: ReadonlyArray<NamedStage | (() => Transform)>,
  sink: RecordSink<unknown>,
  onError: (error: Error) => void,
  bytesAt: 'bytes-in' | 'bytes-out',
): Chain<In> {
  const transforms: Transform[] = [];
  const cores: Array<FusedCore<unknown>> = [];
  let segment: NamedStage[] = [];
  const closeSegment = (last: boolean): void => {
    if (segment.length === 0) return;
    const first = transforms.length === 0;
    const fused = segment;
    segment = [];
    transforms.push(
      new StageTransform<unknown, unknown>(
        (next) => {
          const chain = fuseStages<unknown>(fused, next);
          cores.push(chain);
          return chain;
        },
        {
          writableObjectMode: !(first && bytesAt === 'bytes-in'),
          readableObjectMode: !(last && bytesAt === 'bytes-out'),
        },
      ),
    );
  };
  all.forEach((stage, index) => {
    if (typeof stage !== 'function') {
      segment.push(stage);
      if (index === all.length - 1) closeSegment(true);
      return;
    }
    closeSegment(false);
    transforms.push(stage());
  });
  const pipeline = new StagePipeline<In, unknown>(transforms, sink, onError);
  return {
    async: true,
    accept: (record) => pipeline.accept(record),
    whenSettled: (callback) => pipeline.whenSettled(callback),
    destroy: (error) => {
      for (const core of cores) core.destroy(error);
      pipeline.destroy();
    },
  };
}
