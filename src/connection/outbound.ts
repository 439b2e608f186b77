import type { Duplex, Readable } from 'node:stream';
import { CloseCode } from '../close-codes.js';
import { WebSocketError } from '../errors.js';
import { dataPart, toBuffer } from '../transforms/encode/message-encoder.js';
import type { EncoderInput } from '../transforms/encode/message-encoder.js';
import { EMPTY_BUFFER, type BinaryData, type MessagePart } from '../transforms/records.js';
import type { RecordSink } from '../transforms/stage.js';
import type { Chain } from './chains.js';
import type { ConnectionCounters } from './counters.js';
import { WriteCoalescer } from './write-coalescer.js';

/**
 * A data message framed elsewhere, whose bytes are written as they are: a message
 * published to a topic is framed once and these same bytes go to every subscriber
 * (src/topics). Only a server's frames can be shared: a client masks each frame anew.
 */
export interface FramedMessage {
  /** The frames' bytes, in order; never modified once handed over. */
  readonly chunks: readonly Buffer[];
  /** Their total length. */
  readonly size: number;
}

/** What the sending side needs from its connection. */
export interface OutboundHost {
  /** The encoder failed (a WebSocketError from a stage): fail the connection. */
  fail(error: Error): void;
  /** Everything buffered went below the mark after a send was refused room: emit 'drain'. */
  drained(): void;
  /**
   * Why data can no longer reach the peer, or null while it can: the connection failed or
   * closed, or the peer's close frame came; with `ownCloseSent`, also because our close frame went out.
   */
  stoppedBy(ownCloseSent: boolean): WebSocketError | null;
}

/**
 * The sending side of a connection: the encode chain, the send buffer and its bound,
 * and the order of data messages (RFC 6455 §5.4: the frames of two data messages never
 * interleave, so a streamed message holds later ones back; control frames go at once).
 *
 * `bufferedAmount` counts every byte accepted and not yet handed to the operating system:
 * queued behind a streamed message, inside an asynchronous stage (zlib), or in the socket.
 */
export class Outbound implements RecordSink<Buffer> {
  private readonly chain: Chain<EncoderInput>;
  private readonly writer: WriteCoalescer;
  private readonly highWaterMark: number;
  /** Bytes waiting behind a streamed message, and bytes inside an asynchronous stage. */
  private queuedBytes = 0;
  private encodingBytes = 0;
  private settling = false;
  private needDrain = false;
  private streaming = false;
  /** Messages waiting behind a streamed one; a shared empty list until the first (most connections never stream). */
  private queue: Queued[] = NOTHING_QUEUED;
  /** The close frame went to the encoder (or the connection ended): no data after it. */
  private closed = false;
  /** Callers of `drained()`, made on first use. */
  private drainWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> | null = null;

  /**
   * `buildChain` makes the encode chain writing to this object (its `accept`); the
   * connection forwards the socket's 'drain' to `checkDrain()`.
   */
  constructor(
    private readonly socket: Duplex,
    buildChain: (sink: RecordSink<Buffer>) => Chain<EncoderInput>,
    private readonly maxBufferedAmount: number,
    private readonly counters: ConnectionCounters,
    private readonly host: OutboundHost,
    /** Past `maxBufferedAmount`, fail the connection (1008) instead of throwing at the caller. */
    private readonly closeWhenFull = false,
  ) {
    this.writer = new WriteCoalescer(socket);
    this.highWaterMark = socket.writableHighWaterMark;
    this.chain = buildChain(this);
  }

  get bufferedAmount(): number {
    return this.socket.writableLength + this.queuedBytes + this.encodingBytes;
  }

  /** Where the encode chain writes: into the socket, in one system call per tick. */
  accept(chunk: Buffer): void {
    this.counters.bytesOut += chunk.length;
    if (!this.socket.destroyed && !this.socket.writableEnded) this.writer.write(chunk);
  }

  /**
   * Queues one data message. It is refused (`WS_ERR_SEND_BUFFER_FULL`) only when other
   * bytes are buffered and it would take the total past `maxBufferedAmount`: a message
   * larger than the bound on its own is accepted when nothing is queued, so any message
   * can be sent. Returns false when the caller should wait for 'drain'.
   */
  sendData(kind: 'text' | 'binary', data: string | BinaryData, compress: boolean | undefined): boolean {
    const buffered = this.bufferedAmount;
    if (buffered !== 0) {
      // A string's UTF-8 is at most 3 bytes per UTF-16 unit: count exactly only near the bound.
      const bound = typeof data === 'string' ? data.length * 3 : data.byteLength;
      if (buffered + bound > this.maxBufferedAmount) {
        const size = typeof data === 'string' ? Buffer.byteLength(data) : bound;
        if (buffered + size > this.maxBufferedAmount) {
          const error = sendBufferFull(size, buffered, this.maxBufferedAmount);
          if (!this.closeWhenFull) {
            this.awaitRoom();
            throw error;
          }
          // A peer that does not read what it is sent holds memory: policy violation (RFC 6455 §7.4.1).
          this.host.fail(new WebSocketError('WS_ERR_SEND_BUFFER_FULL', CloseCode.POLICY_VIOLATION, error.message));
          return false;
        }
      }
    }
    return this.send(dataPart(kind, data, compress));
  }

  /** Hands a record to the encoder, or queues it behind a streamed message. */
  send(record: MessagePart): boolean {
    if (this.closed) return false;
    if (this.streaming || this.queue.length !== 0) {
      const size = record.data.length;
      this.enqueue({ record, frame: null, size, resume: null });
      this.queuedBytes += size;
      return this.roomLeft();
    }
    this.encode(record);
    return this.roomLeft();
  }

  /**
   * Writes a message framed elsewhere ({@link FramedMessage}) in its place among this
   * connection's data messages: behind a streamed message in progress, and behind what
   * an asynchronous stage (zlib) still holds, so that it never lands between the frames of
   * another message nor overtakes one sent before it. Returns false once closed (dropped).
   */
  sendFramed(frame: FramedMessage): boolean {
    if (this.closed) return false;
    if (this.streaming || this.queue.length !== 0 || this.settling) {
      this.enqueue({ record: null, frame, size: frame.size, resume: null });
      this.queuedBytes += frame.size;
    } else {
      this.writeFramed(frame);
    }
    return true;
  }

  /** A control frame: never queued behind data (RFC 6455 §5.4: it may go between fragments). */
  sendControl(record: EncoderInput): void {
    if (!this.closed) this.encode(record);
  }

  /** The close frame: after every data message accepted before it; nothing is sent after it. */
  sendClose(record: MessagePart, now: boolean): void {
    if (this.closed) return;
    if (now || (!this.streaming && this.queue.length === 0)) {
      this.closed = true;
      this.dropQueue();
      this.encode(record);
    } else {
      this.enqueue({ record, frame: null, size: 0, resume: null });
    }
  }

  /**
   * Sends one message whose payload comes from `source`, as a data frame per chunk, waiting
   * for room between chunks; data messages sent meanwhile wait behind it. Resolves once its
   * last frame was handed to the operating system; rejects if the connection can no longer
   * deliver it whole (closed, failed, or the peer's close frame came first).
   */
  async sendStream(source: Readable | AsyncIterable<Buffer | Uint8Array | string>, kind: 'text' | 'binary', compress: boolean | undefined): Promise<void> {
    while (this.streaming) await this.turn();
    this.throwIfStopped();
    this.streaming = true;
    let started = false;
    try {
      for await (const chunk of source) {
        this.throwIfStopped();
        // toBuffer throws send()'s TypeError for a chunk that is neither text nor bytes.
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : toBuffer(chunk);
        if (data.length === 0) continue;
        this.encode({ kind, rsv: 0, data, last: false, compress });
        started = true;
        if (!this.roomLeft()) await this.drained();
      }
      this.throwIfStopped();
      this.encode({ kind, rsv: 0, data: EMPTY_BUFFER, last: true, compress });
    } catch (error) {
      // RFC 6455 has no way to abandon a fragmented message, and no other data message may
      // start before it ends (§5.4): once a frame went out, the connection cannot go on.
      if (started && this.host.stoppedBy(false) === null) {
        this.host.fail(new WebSocketError('WS_ERR_SEND_STREAM_FAILED', CloseCode.INTERNAL_ERROR, 'The source of a streamed message failed', { cause: error }));
      }
      throw error;
    } finally {
      this.streaming = false;
      this.flushQueue();
    }
    await this.flushed();
    // Our own close, queued behind this message, does not undo it; anything else may have.
    this.throwIfStopped(false);
  }

  /** Resolves when send() may be called again; rejects once the connection cannot send. */
  drained(): Promise<void> {
    const stopped = this.host.stoppedBy(this.closed);
    if (stopped) return Promise.reject(stopped);
    if (!this.needDrain && this.bufferedAmount < this.highWaterMark) return Promise.resolve();
    this.needDrain = true;
    return new Promise((resolve, reject) => (this.drainWaiters ??= []).push({ resolve, reject }));
  }

  /** Resolves once everything accepted so far reached the operating system, or the socket is gone. */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      const afterEncoder = (): void => {
        if (this.socket.destroyed || this.socket.writableEnded || this.socket.writableLength === 0) resolve();
        else this.socket.write(EMPTY_BUFFER, () => resolve());
      };
      this.whenEncoded(afterEncoder);
    });
  }

  /** Calls `callback` once the encoder has passed on everything it accepted (at once when it is synchronous). */
  whenEncoded(callback: () => void): void {
    if (this.chain.async) this.chain.whenSettled(callback);
    else callback();
  }

  /** The connection ended: waiting senders learn why, and queued records are dropped. */
  stop(error: WebSocketError): void {
    this.closed = true;
    this.dropQueue();
    const waiters = this.drainWaiters;
    this.drainWaiters = null;
    if (waiters !== null) for (const waiter of waiters) waiter.reject(error);
  }

  /** Releases the encoder's resources (zlib engines). */
  destroy(): void {
    this.chain.destroy();
  }

  private encode(record: EncoderInput): void {
    try {
      this.chain.accept(record);
    } catch (error) {
      if (error instanceof WebSocketError) this.host.fail(error);
      throw error;
    }
    if (this.chain.async) {
      this.encodingBytes += 'kind' in record ? record.data.length : 0;
      if (!this.settling) {
        this.settling = true;
        // Made on first use: a chain without an asynchronous stage never needs it.
        this.chain.whenSettled((this.onSettled ??= (error) => this.settled(error)));
      }
    }
  }

  private onSettled: ((error: Error | null) => void) | null = null;

  private settled(error: Error | null): void {
    this.settling = false;
    this.encodingBytes = 0;
    if (error) {
      this.host.fail(error);
      return;
    }
    // A framed message may have waited for the encoder to pass on what came before it.
    if (this.queue.length !== 0 && this.queue[0]!.frame !== null) this.flushQueue();
    this.checkDrain();
  }

  /** Framed bytes go to the socket as they are (the topics counted them when they were accepted). */
  private writeFramed(frame: FramedMessage): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    for (const chunk of frame.chunks) this.writer.write(chunk);
  }

  private roomLeft(): boolean {
    if (this.bufferedAmount < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /**
   * A send was refused for room: 'drain' and `drained()` now wait until what is buffered
   * has gone out, as the error tells the caller to. Below its mark the socket will emit no
   * 'drain' of its own, so it is asked to call back once what it holds is flushed.
   */
  private awaitRoom(): void {
    this.needDrain = true;
    if (this.socket.writableLength < this.highWaterMark && !this.socket.destroyed && !this.socket.writableEnded) {
      this.socket.write(EMPTY_BUFFER, () => this.checkDrain());
    }
  }

  /** The socket drained, or an asynchronous stage settled: 'drain' if a sender waits and there is room. */
  checkDrain(): void {
    if (!this.needDrain || this.bufferedAmount >= this.highWaterMark) return;
    this.needDrain = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = null;
    if (waiters !== null) for (const waiter of waiters) waiter.resolve();
    this.host.drained();
  }

  private throwIfStopped(ownClose = true): void {
    const stopped = this.host.stoppedBy(ownClose && this.closed);
    if (stopped) throw stopped;
  }

  /** Waits for the streamed message ahead to finish. */
  private turn(): Promise<void> {
    return new Promise((resolve) => this.enqueue({ record: null, frame: null, size: 0, resume: resolve }));
  }

  private flushQueue(): void {
    while (this.queue.length !== 0 && !this.streaming) {
      // Framed bytes go after everything the encoder holds: onSettled comes back for them.
      if (this.settling && this.queue[0]!.frame !== null) return;
      const item = this.queue.shift()!;
      this.queuedBytes -= item.size;
      if (item.frame !== null) {
        this.writeFramed(item.frame);
        continue;
      }
      if (item.record === null) {
        item.resume!(); // the next streamed message starts; what follows waits for it
        return;
      }
      if (item.record.kind === 'close') this.sendClose(item.record, true);
      else this.encode(item.record);
    }
  }

  private enqueue(item: Queued): void {
    if (this.queue === NOTHING_QUEUED) this.queue = [];
    this.queue.push(item);
  }

  /** Drops queued messages; streamed messages waiting for their turn go on, to learn they cannot be sent. */
  private dropQueue(): void {
    if (this.queue.length === 0) return;
    const waiting = this.queue.filter((item) => item.resume !== null);
    this.queue = NOTHING_QUEUED;
    this.queuedBytes = 0;
    for (const item of waiting) item.resume!();
  }
}

/** The empty queue that connections share until one queues something; never pushed to. */
const NOTHING_QUEUED: Queued[] = [];

/**
 * A message waiting behind a streamed one (a record, or bytes framed elsewhere), or
 * (neither) a streamed message waiting for its turn.
 */
interface Queued {
  record: MessagePart | null;
  frame: FramedMessage | null;
  size: number;
  resume: (() => void) | null;
}

/** The caller outran the peer: refused before memory grows past the configured bound. */
function sendBufferFull(size: number, buffered: number, limit: number): Error & { code: 'WS_ERR_SEND_BUFFER_FULL' } {
  const error = new Error(
    `Send buffer full: a message of ${size} bytes does not fit behind the ${buffered} bytes buffered (maxBufferedAmount is ${limit}); wait for 'drain' or await connection.drained()`,
  ) as Error & { code: 'WS_ERR_SEND_BUFFER_FULL' };
  error.code = 'WS_ERR_SEND_BUFFER_FULL';
  return error;
}
