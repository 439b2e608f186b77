/**
 * zlib memory per connection without sockets or servers, in a fresh process (run with
 * `--expose-gc` by bench/deflate-rss/run.ts):
 * `node --expose-gc --import tsx bench/deflate-rss/stages.ts ours|ws|pool takeover|no-context CONNECTIONS SIZE MESSAGES`.
 *
 * For each of CONNECTIONS "connections", one inflater and one compressor, as a server
 * holds them: ours are InflateCore + DeflateCore (the stages a connection runs), ws's one
 * PerMessageDeflate in the server role (what its Receiver and Sender share). Every
 * connection inflates and compresses MESSAGES JSON-like messages of SIZE bytes, all
 * connections at once; then, the stages still alive, a full GC, and the RSS it added is
 * printed as one JSON line, per connection.
 *
 * `pool` is not a library: it is what a no-context-takeover direction needs at the least,
 * sketched with node:zlib. Every job borrows a stream from a process-wide pool as large as
 * our zlib limiter's concurrency, and gives it back reset. Compared with the other rows,
 * it shows the memory that keeping a context per connection costs when no context has to
 * be kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { DeflateCore, DEFAULT_ZLIB_CONCURRENCY, InflateCore, ZlibLimiter, RSV1, type MessagePart } from '../../src/transforms/index.js';
import { compressAlone, compressInSequence, jsonMessage } from '../echo/deflate-frames.js';

export interface StageMemoryResult {
  implementation: 'ours' | 'ws' | 'pool';
  context: 'takeover' | 'no-context';
  connections: number;
  /** RSS added per connection, after a full GC, bytes. */
  rssPerConnection: number;
  /** External memory (Buffers, and zlib's memory as Node reports it) per connection, bytes. */
  externalPerConnection: number;
  milliseconds: number;
}

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function rss(): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage.rss();
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
}

interface WsPerMessageDeflate {
  accept(configurations: Array<Record<string, unknown[]>>): unknown;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
}
type WsPerMessageDeflateClass = new (options: object, isServer: boolean, maxPayload: number) => WsPerMessageDeflate;

function settle(core: InflateCore | DeflateCore): Promise<void> {
  return new Promise((resolve, reject) => core.whenSettled((error) => (error ? reject(error) : resolve())));
}

function call(run: (callback: (error: Error | null, result?: Buffer) => void) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result!))));
}

/** Runs `input` through a zlib stream with a sync flush. */
function through(stream: DeflateRaw | InflateRaw, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => void chunks.push(chunk);
    stream.on('data', onData);
    stream.once('error', reject);
    stream.write(input, (error) => {
      stream.off('data', onData);
      stream.off('error', reject);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    });
  });
}

/** A pool of zlib streams of one kind, as many as the limiter runs at once. */
class StreamPool<T extends DeflateRaw | InflateRaw> {
  private readonly idle: T[] = [];
  private readonly limiter = new ZlibLimiter(DEFAULT_ZLIB_CONCURRENCY);

  constructor(private readonly create: () => T) {}

  run(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.limiter.run((release) => {
        const stream = this.idle.pop() ?? this.create();
        through(stream, input).then(
          (output) => {
            stream.reset();
            this.idle.push(stream);
            release();
            resolve(output);
          },
          (error: Error) => {
            release();
            reject(error);
          },
        );
      });
    });
  }
}

async function main(): Promise<void> {
  const [implementation, context, connectionsText, sizeText, messagesText] = process.argv.slice(2) as [StageMemoryResult['implementation'], StageMemoryResult['context'], string, string, string];
  const connections = Number(connectionsText);
  const size = Number(sizeText);
  const messages = Number(messagesText);
  const noContext = context === 'no-context';
  const payloads = Array.from({ length: messages }, (_, index) => jsonMessage(size, index + 1));
  // What a client sends: compressed alone (no context), or in sequence (context takeover).
  const compressed = noContext ? payloads.map(compressAlone) : await compressInSequence(payloads);
  const keep: unknown[] = [];

  let connection: () => Promise<void>;
  if (implementation === 'ours') {
    const sink = { accept: (_part: MessagePart) => {} };
    connection = async () => {
      const inflate = new InflateCore({ maxPayload: 1 << 26, noContextTakeover: noContext }, sink);
      const deflate = new DeflateCore({ noContextTakeover: noContext }, sink);
      keep.push(inflate, deflate);
      for (let i = 0; i < messages; i++) {
        inflate.accept({ kind: 'text', rsv: RSV1, data: compressed[i]!, last: true });
        await settle(inflate);
        deflate.accept({ kind: 'text', rsv: 0, data: payloads[i]!, last: true });
        await settle(deflate);
      }
    };
  } else if (implementation === 'ws') {
    const require = createRequire(join(process.cwd(), 'package.json'));
    const PerMessageDeflate = require(join(require.resolve('ws'), '..', 'lib', 'permessage-deflate.js')) as WsPerMessageDeflateClass;
    connection = async () => {
      const perMessageDeflate = new PerMessageDeflate({}, true, 1 << 26);
      perMessageDeflate.accept([noContext ? { server_no_context_takeover: [true], client_no_context_takeover: [true] } : {}]);
      keep.push(perMessageDeflate);
      for (let i = 0; i < messages; i++) {
        await call((callback) => perMessageDeflate.decompress(compressed[i]!, true, callback));
        await call((callback) => perMessageDeflate.compress(payloads[i]!, true, callback));
      }
    };
  } else {
    if (!noContext) throw new Error('the pool sketch is for no-context-takeover only');
    const inflaters = new StreamPool(() => createInflateRaw({ flush: constants.Z_SYNC_FLUSH }));
    const deflaters = new StreamPool(() => createDeflateRaw({ flush: constants.Z_SYNC_FLUSH }));
    connection = async () => {
      for (let i = 0; i < messages; i++) {
        await inflaters.run(Buffer.concat([compressed[i]!, TAIL]));
        await deflaters.run(payloads[i]!);
      }
    };
  }

  collect();
  const rssBefore = rss();
  const externalBefore = process.memoryUsage().external;
  const began = performance.now();
  await Promise.all(Array.from({ length: connections }, () => connection()));
  const milliseconds = performance.now() - began;
  collect();
  await new Promise((resolve) => setTimeout(resolve, 100));
  collect();
  const result: StageMemoryResult = {
    implementation,
    context,
    connections,
    rssPerConnection: (rss() - rssBefore) / connections,
    externalPerConnection: (process.memoryUsage().external - externalBefore) / connections,
    milliseconds,
  };
  if (keep.length === -1) console.log(keep); // the stages stay alive until here
  console.log(JSON.stringify(result));
}

await main();
