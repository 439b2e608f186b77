import { EventEmitter } from 'node:events';
import type { Duplex, Readable } from 'node:stream';
import { CloseCode } from '../close-codes.js';
import { WebSocketError } from '../errors.js';
import { buildClosePayload } from '../transforms/close-frame.js';
import type { EncoderInput } from '../transforms/encode/message-encoder.js';
import { toBuffer } from '../transforms/encode/message-encoder.js';
import { EMPTY_BUFFER, type BinaryData, type DataMessage, type MessagePart, type Role } from '../transforms/records.js';
import type { StageCore } from '../transforms/stage.js';
import { buildInbound, buildOutbound, type InboundRecord } from './chains.js';
import { newCounters, type ConnectionCounters } from './counters.js';
import { channels } from './diagnostics.js';
import { Heartbeat } from './heartbeat.js';
import { MessageIterator } from './message-iterator.js';
import type { MessageStream } from './message-stream.js';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_ITERATOR_HIGH_WATER,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  ERROR_GRACE_MS,
  CONNECTION_SCHEMA,
  type ConnectionOptions,
} from './options.js';
import { validateOptions } from '../validation/schema.js';
import { ReadyState, type ReadyStateValue } from './ready-state.js';
import { WriteCoalescer } from './write-coalescer.js';

/** Reasons the socket is paused; it reads again only when none is left. */
const HOLD_ASYNC_STAGE = 1;
const HOLD_CONSUMER = 2;
const HOLD_STREAM = 4;

export interface SendOptions {
  /** Send a string as binary, or bytes as text (they must be UTF-8). */
  binary?: boolean;
  /** Per-message opt-out of permessage-deflate. Default: compress when negotiated. */
  compress?: boolean;
}

/** How a connection ended: see {@link Connection.closeInfo}. */
export interface CloseDetails {
  code: number;
  reason: string;
  wasClean: boolean;
  remote: { code: number; reason: string } | null;
  error: Error | null;
}

export interface ConnectionEvents {
  message: [message: DataMessage];
  stream: [stream: MessageStream];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** The close handshake started: by `close()` here, or by the peer's close frame (its code and reason). */
  closing: [code: number, reason: string];
  close: [code: number, reason: string, wasClean: boolean];
  error: [error: Error];
  drain: [];
}

/**
 * One WebSocket connection, either role, over any Duplex (a net or tls socket, or a test
 * pair) once the opening handshake is done. It runs the fused decode and encode chains,
 * the close handshake (RFC 6455 §5.5.1, §7), automatic pongs, the heartbeat, and
 * backpressure in both directions.
 */
export class Connection extends EventEmitter<ConnectionEvents> {
  readonly role: Role;
  readonly protocol: string;
  readonly extensions: string;
  readonly counters: ConnectionCounters = newCounters();
  private state: ReadyStateValue = ReadyState.OPEN;
  private readonly socket: Duplex;
  private readonly inbound: StageCore<Buffer>;
  private readonly outbound: StageCore<EncoderInput>;
  private readonly writer: WriteCoalescer;
  private readonly autoPong: boolean;
  private readonly closeTimeout: number;
  private readonly maxBufferedAmount: number;
  private readonly heartbeat: Heartbeat | null;
  private readonly iterators = new Set<MessageIterator>();
  private holds = 0;
  private closeSent = false;
  private closeReceived = false;
  private remoteClose: { code: number; reason: string } | null = null;
  private closeCode: number = CloseCode.ABNORMAL;
  private closeReason = '';
  private failure: Error | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private clean = false;
  /** Data sends waiting for a streamed message to finish (data messages cannot interleave). */
  private readonly queued: Array<() => void> = [];
  private streamingOut = false;

  constructor(socket: Duplex, options: ConnectionOptions) {
    super();
    validateOptions(options, CONNECTION_SCHEMA);
    this.socket = socket;
    this.role = options.role;
    this.protocol = options.protocol ?? '';
    this.extensions = options.extensions ?? '';
    this.autoPong = options.autoPong ?? true;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    this.writer = new WriteCoalescer(socket);
    this.inbound = buildInbound(options, { accept: (record) => this.onRecord(record) }, (error) => this.fail(error));
    this.outbound = buildOutbound(options, { accept: (chunk) => this.writeChunk(chunk) }, (error) => this.fail(error));
    this.heartbeat = options.heartbeat
      ? new Heartbeat(options.heartbeat, (payload) => this.writeRecord({ type: 'ping', data: payload }), () => this.onHeartbeatTimeout())
      : null;

    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onSocketClose());
    socket.on('error', () => this.onSocketError());
    socket.on('drain', () => this.emit('drain'));
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
    this.heartbeat?.start();
    channels.open.publish({ connection: this });
    // Nothing is read until the next macrotask, so that whoever got this connection from a
    // promise (`await connect()`) or an event has attached its listeners: a message the
    // peer sends right after the handshake is not lost. Then the bytes that came with the
    // handshake go first, and the socket flows.
    socket.pause();
    const head = options.head;
    setImmediate(() => {
      if (head && head.length > 0) this.onData(head);
      if (this.holds === 0 && !socket.destroyed) socket.resume();
    });
  }

  get readyState(): ReadyStateValue {
    return this.state;
  }

  /** Bytes accepted by `send()` and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** Round-trip time of the last heartbeat ping, in ms (undefined without a heartbeat). */
  get roundTripTime(): number | undefined {
    return this.heartbeat?.roundTripTime;
  }

  /**
   * How the connection ended, once CLOSED: `code` and `reason` as the 'close' event gave
   * them (1006 when it dropped; ours when we failed it), `remote` the peer's close frame
   * if one arrived (null when it never did, or came after we failed the connection:
   * RFC 6455 §7.1.7 stops processing input), and `error` what failed it.
   */
  get closeInfo(): CloseDetails | undefined {
    if (this.state !== ReadyState.CLOSED) return undefined;
    return { code: this.closeCode, reason: this.closeReason, wasClean: this.clean, remote: this.remoteClose, error: this.failure };
  }

  /**
   * Resolves once everything sent so far has been handed to the operating system
   * (compression included), or once the connection closed.
   */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      const afterEncoder = (): void => {
        if (this.socket.destroyed || this.socket.writableEnded || this.socket.writableLength === 0) resolve();
        else this.socket.write(EMPTY_BUFFER, () => resolve());
      };
      const settle = this.outbound.whenSettled;
      if (settle) settle.call(this.outbound, afterEncoder);
      else afterEncoder();
    });
  }

  get remoteAddress(): string | undefined {
    return (this.socket as { remoteAddress?: string }).remoteAddress;
  }

  get remotePort(): number | undefined {
    return (this.socket as { remotePort?: number }).remotePort;
  }

  /**
   * Sends a text (string) or binary (bytes) message. Returns false when the caller should
   * wait for `'drain'` before sending more, and also when the connection is no longer
   * open (the message is then dropped, as the WebSocket API does).
   */
  send(data: string | BinaryData, options: SendOptions = NO_SEND_OPTIONS): boolean {
    if (this.state !== ReadyState.OPEN) return false;
    const text = typeof data === 'string';
    const bytes = text ? Buffer.from(data, 'utf8') : toBuffer(data);
    if (this.bufferedAmount + bytes.length > this.maxBufferedAmount) {
      throw sendBufferFull(this.bufferedAmount, this.maxBufferedAmount);
    }
    const kind = (text ? options.binary === true : options.binary !== false) ? 'binary' : 'text';
    const part: MessagePart = { kind, compressed: false, data: bytes, last: true, compress: options.compress };
    if (this.streamingOut) this.queued.push(() => this.writeRecord(part));
    else this.writeRecord(part);
    this.counters.messagesOut++;
    return !this.socket.writableNeedDrain;
  }

  /**
   * Sends one message whose payload comes from `source` (a Readable, e.g. a file stream,
   * or any async iterable of chunks), as continuation frames, waiting for `'drain'`
   * between chunks. Other data messages sent meanwhile go after it.
   */
  async sendStream(source: Readable | AsyncIterable<Buffer | Uint8Array | string>, options: SendOptions = {}): Promise<void> {
    if (this.state !== ReadyState.OPEN) throw new Error('The connection is not open');
    // Data messages cannot interleave: wait for the turn of this one, in call order.
    if (this.streamingOut) {
      await new Promise<void>((resolve) =>
        this.queued.push(() => {
          this.streamingOut = true;
          resolve();
        }),
      );
    } else {
      this.streamingOut = true;
    }
    const kind = options.binary === false ? 'text' : 'binary';
    const compress = options.compress;
    try {
      for await (const chunk of source) {
        if (this.state !== ReadyState.OPEN) throw new Error('The connection closed while a message was being streamed');
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : toBuffer(chunk);
        if (!this.writeRecord({ kind, compressed: false, data, last: false, compress })) await this.drained();
      }
      if (this.state === ReadyState.OPEN || (this.state === ReadyState.CLOSING && !this.closeSent)) {
        this.writeRecord({ kind, compressed: false, data: Buffer.alloc(0), last: true, compress });
        this.counters.messagesOut++;
      }
    } finally {
      this.streamingOut = false;
      this.flushQueued();
    }
  }

  /** Sends a ping (at most 125 bytes). */
  ping(data: string | BinaryData = Buffer.alloc(0)): void {
    if (this.state !== ReadyState.OPEN) return;
    this.writeRecord({ type: 'ping', data });
  }

  /** Sends an unsolicited pong (at most 125 bytes). */
  pong(data: string | BinaryData = Buffer.alloc(0)): void {
    if (this.state !== ReadyState.OPEN) return;
    this.writeRecord({ type: 'pong', data });
  }

  /**
   * Starts the close handshake: messages sent before are delivered first, then a close
   * frame; the socket ends when the peer answers, or is destroyed after `closeTimeout`.
   */
  close(code?: number, reason = ''): void {
    buildClosePayload(code, reason); // throws for what may not be sent, before any state changes
    if (this.state === ReadyState.CLOSED || this.closeSent || this.failure) return;
    this.state = ReadyState.CLOSING;
    this.emit('closing', code ?? CloseCode.NO_STATUS, reason);
    this.armCloseTimer(this.closeTimeout);
    if (this.streamingOut || this.queued.length > 0) this.queued.push(() => this.sendClose(code, reason));
    else this.sendClose(code, reason);
  }

  /** Destroys the socket at once, with no close handshake (reported as 1006). */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSING;
    this.socket.destroy();
  }

  /** Async iteration over data messages, pausing the socket when the consumer lags. */
  [Symbol.asyncIterator](): AsyncIterableIterator<DataMessage> {
    const iterator = new MessageIterator(
      DEFAULT_ITERATOR_HIGH_WATER,
      () => this.hold(HOLD_CONSUMER),
      () => this.release(HOLD_CONSUMER),
      (done) => this.iterators.delete(done),
    );
    if (this.state === ReadyState.CLOSED) iterator.end(this.failure);
    else this.iterators.add(iterator);
    return iterator;
  }

  // ---- receiving ----

  private onData(chunk: Buffer): void {
    this.counters.bytesIn += chunk.length;
    if (this.closeReceived || this.failure) return;
    try {
      this.inbound.accept(chunk);
    } catch (error) {
      this.onInboundError(error);
      return;
    }
    const settle = this.inbound.whenSettled;
    if (settle) {
      this.hold(HOLD_ASYNC_STAGE);
      settle.call(this.inbound, (error) => {
        if (error) this.fail(error);
        else this.release(HOLD_ASYNC_STAGE);
      });
    }
  }

  private onInboundError(error: unknown): void {
    if (error instanceof WebSocketError) {
      this.fail(error);
      return;
    }
    // Not the peer's fault: a listener threw. Close with 1011 and let it surface, as Node does.
    this.fail(new WebSocketError('WS_ERR_INVALID_MESSAGE', CloseCode.INTERNAL_ERROR, 'Internal error'));
    throw error;
  }

  private onRecord(record: InboundRecord): void {
    switch (record.type) {
      case 'text':
      case 'binary':
        this.counters.messagesIn++;
        this.emit('message', record);
        // Iterating an empty Set still allocates an iterator: skip it on the per-message path.
        if (this.iterators.size !== 0) for (const iterator of this.iterators) iterator.push(record);
        break;
      case 'stream':
        this.counters.messagesIn++;
        record.stream.attach(() => this.hold(HOLD_STREAM), () => this.release(HOLD_STREAM));
        this.emit('stream', record.stream);
        break;
      case 'ping':
        channels.ping.publish({ connection: this, data: record.data });
        this.emit('ping', record.data);
        if (this.autoPong && this.state === ReadyState.OPEN) this.writeRecord({ type: 'pong', data: record.data });
        break;
      case 'pong':
        channels.pong.publish({ connection: this, data: record.data });
        this.heartbeat?.pong(record.data);
        this.emit('pong', record.data);
        break;
      case 'close':
        this.onCloseFrame(record.code, record.reason);
        break;
    }
  }

  /** RFC 6455 §5.5.1: answer a close with a close (echoing the code), then the server ends TCP. */
  private onCloseFrame(code: number | undefined, reason: string): void {
    this.closeReceived = true;
    this.closeCode = code ?? CloseCode.NO_STATUS;
    this.remoteClose = { code: this.closeCode, reason };
    this.closeReason = reason;
    if (!this.closeSent) {
      this.state = ReadyState.CLOSING;
      this.emit('closing', this.closeCode, reason);
      this.sendClose(code, '');
      this.armCloseTimer(this.closeTimeout);
    }
    // RFC 6455 §7.1.1: the server closes the TCP connection first; the client waits for it.
    if (this.role === 'server') this.endSocket();
  }

  // ---- sending ----

  private writeRecord(record: EncoderInput): boolean {
    try {
      this.outbound.accept(record);
    } catch (error) {
      if (error instanceof WebSocketError) this.fail(error);
      throw error;
    }
    return !this.socket.writableNeedDrain;
  }

  private sendClose(code: number | undefined, reason: string): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.closeSent = true;
    this.writeRecord({ type: 'close', code, reason });
  }

  private writeChunk(chunk: Buffer): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.counters.bytesOut += chunk.length;
    this.writer.write(chunk);
  }

  private flushQueued(): void {
    while (this.queued.length > 0 && !this.streamingOut) this.queued.shift()!();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.socket.writableNeedDrain || this.socket.destroyed) resolve();
      else {
        const done = (): void => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      }
    });
  }

  // ---- failing and closing ----

  /** A protocol error: close with its code, report it once, destroy after a short grace. */
  private fail(error: Error): void {
    if (this.failure || this.state === ReadyState.CLOSED) return;
    this.failure = error;
    const code = error instanceof WebSocketError ? error.closeCode : CloseCode.INTERNAL_ERROR;
    this.closeCode = code;
    this.closeReason = error.message;
    this.state = ReadyState.CLOSING;
    channels.error.publish({ connection: this, error });
    // An 'error' without a listener would crash the process: bad input must not do that.
    if (this.listenerCount('error') > 0) this.emit('error', error);
    if (!this.closeSent && code !== CloseCode.ABNORMAL && !this.socket.destroyed) {
      this.closeSent = true;
      try {
        this.outbound.accept({ type: 'close', code, reason: '' });
      } catch {
        // The encoder failed too; the socket is destroyed below anyway.
      }
    }
    this.endSocket();
    this.armCloseTimer(ERROR_GRACE_MS);
  }

  /** Ends the socket once everything handed to the encoder (close frame included) is written. */
  private endSocket(): void {
    const settle = this.outbound.whenSettled;
    const end = (): void => {
      if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
    };
    if (settle) settle.call(this.outbound, end);
    else end();
  }

  private onHeartbeatTimeout(): void {
    this.closeReason = 'heartbeat timeout: no pong from the peer';
    this.terminate();
  }

  private armCloseTimer(ms: number): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.socket.destroy(), ms);
    this.closeTimer.unref();
  }

  private onEnd(): void {
    // The peer ended TCP; if no close frame came, this is an abnormal closure (1006).
    if (!this.socket.writableEnded) this.socket.end();
  }

  private onSocketError(): void {
    // A socket error (reset, timeout) ends the connection as 1006; 'close' reports it.
    this.socket.destroy();
  }

  private onSocketClose(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSED;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.heartbeat?.stop();
    const abnormal = !this.closeReceived && !this.failure;
    if (abnormal) this.closeCode = CloseCode.ABNORMAL;
    const wasClean = this.closeReceived && this.closeSent && !this.failure;
    this.clean = wasClean;
    for (const iterator of this.iterators) iterator.end(this.failure);
    this.iterators.clear();
    const inbound = this.inbound as { destroy?: () => void };
    const outbound = this.outbound as { destroy?: () => void };
    inbound.destroy?.();
    outbound.destroy?.();
    channels.close.publish({ connection: this, code: this.closeCode, reason: this.closeReason, wasClean });
    this.emit('close', this.closeCode, this.closeReason, wasClean);
  }

  private hold(reason: number): void {
    if (this.holds === 0) this.socket.pause();
    this.holds |= reason;
  }

  private release(reason: number): void {
    if ((this.holds & reason) === 0) return;
    this.holds &= ~reason;
    if (this.holds === 0 && !this.socket.destroyed) this.socket.resume();
  }
}

/** Shared default, so a plain `send(data)` allocates no options object. */
const NO_SEND_OPTIONS: SendOptions = Object.freeze({});

/** The caller outran the peer: refused before memory grows past the configured bound. */
function sendBufferFull(buffered: number, limit: number): Error & { code: 'WS_ERR_SEND_BUFFER_FULL' } {
  const error = new Error(`Send buffer full: ${buffered} bytes buffered, maxBufferedAmount is ${limit}; wait for 'drain'`) as Error & {
    code: 'WS_ERR_SEND_BUFFER_FULL';
  };
  error.code = 'WS_ERR_SEND_BUFFER_FULL';
  return error;
}
