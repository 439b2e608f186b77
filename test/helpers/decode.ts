import { PassThrough, Readable, Writable, pipeline, type Transform } from 'node:stream';
import {
  Defragmenter,
  HeaderParser,
  MessageDecoder,
  Unmasker,
  createDecoder,
  type DecoderOptions,
  type Message,
} from '../../src/transforms/index.js';

export interface DecodeResult {
  messages: Message[];
  error: (Error & { closeCode?: number; code?: string }) | null;
}

/** The two ways to decode: the fused Duplex, and the four separate Transforms piped. */
export type DecodePath = 'fused' | 'separate';

export function decoderStages(path: DecodePath, options: DecoderOptions): Transform[] {
  if (path === 'fused') return [createDecoder(options)];
  return [new HeaderParser(options), new Unmasker(options), new Defragmenter(options), new MessageDecoder(options)];
}

/** Pipes chunks through a decode path and collects messages, or the error that ended it. */
export function decode(chunks: Buffer[], options: DecoderOptions, path: DecodePath = 'fused'): Promise<DecodeResult> {
  return new Promise((resolve) => {
    const messages: Message[] = [];
    const sink = new Writable({
      objectMode: true,
      write(message: Message, _encoding, callback) {
        messages.push(message);
        callback();
      },
    });
    const source = Readable.from(chunks, { objectMode: false });
    const stages = decoderStages(path, options);
    pipeline([source, ...stages, sink] as unknown as [Readable, ...Transform[], Writable], (error) => {
      resolve({ messages, error: (error as DecodeResult['error']) ?? null });
    });
  });
}

/** Collects everything a readable emits until it ends. */
export async function collect<T>(readable: Readable | PassThrough): Promise<T[]> {
  const items: T[] = [];
  for await (const item of readable) items.push(item as T);
  return items;
}
