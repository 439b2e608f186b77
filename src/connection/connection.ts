import { EventEmitter } from 'node:events';
import type { Duplex, Readable } from 'node:stream';
import { CloseCode } from '../close-codes.js';
import { WebSocketError } from '../errors.js';
import { closePart, sendDataTypeError, wholePart } from '../transforms/encode/message-encoder.js';
import { EMPTY_BUFFER, type BinaryData, type DataMessage, type Role } from '../transforms/records.js';
import { boolean, optionTypeError, validateOptions } from '../validation/schema.js';
import type { RecordSink } from '../transforms/stage.js';
import { buildInbound, buildOutbound, checkStages, type ChainHost, type InboundRecord } from './chains.js';
import { CloseHandshake, type CloseDetails, type CloseHost } from './close-handshake.js';
import { newCounters, type ConnectionCounters } from './counters.js';
import { channels } from './diagnostics.js';
import { endError } from './end-error.js';
import { Heartbeat } from './heartbeat.js';
import { IdleSweeper, IdleWatch, type IdleHost } from './idle-timeout.js';
import { HOLD_CONSUMER, HOLD_STREAM, HOLD_STREAM_VIEW, Inbound, type InboundHost, type ReadHold } from './inbound.js';
import type { MessageDuplex } from './message-duplex.js';
import { MessageIterator } from './message-iterator.js';
import type { MessageStream } from './message-stream.js';
import {
  CONNECTION_SCHEMA,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_ITERATOR_HIGH_WATER,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  ERROR_GRACE_MS,
  type ConnectionOptions,
  type Transport,
} from './options.js';
import { Outbound, type OutboundHost } from './outbound.js';
import type { PublishPort, TopicMembership } from './publish-port.js';
import { ReadyState, type ReadyStateValue } from './ready-state.js';
import type { MessageDuplexOptions, WebStreamOptions } from './stream-options.js';
import { StreamViews } from './stream-views.js';
import type { ConnectionStreams } from './web-streams.js';

export type { CloseDetails } from './close-handshake.js';

export interface SendOptions {
  /** Send a string as binary, or bytes as text (they must be valid UTF-8). */
  binary?: boolean;
  /** Per-message opt-out of permessage-deflate. Default: compress when negotiated. */
  compress?: boolean;
}

/** The checks of `send()` and `sendStream()` options. */
export const SEND_OPTIONS_SCHEMA = { binary: boolean, compress: boolean };

/** The arguments of `send()`, and of a publication: text or bytes, and the send options. */
export function validateSendArguments(data: unknown, options: SendOptions | undefined): asserts data is string | BinaryData {
  if (typeof data !== 'string' && !ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) throw sendDataTypeError(data);
  if (options !== undefined) validateOptions(options, SEND_OPTIONS_SCHEMA);
}

/** The socket's listeners are functions shared by every connection; they find theirs here. */
const kConnection = Symbol('wspipe.connection');
type OwnedSocket = Duplex & { [kConnection]: Connection };

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
 * pair) once the opening handshake is done. It wires the receiving side ({@link Inbound}:
 * decode chain, flow control), the sending side ({@link Outbound}: encode chain, send
 * buffer, message order) and the {@link CloseHandshake}, plus automatic pongs and the
 * heartbeat, and reports to events, async iteration and diagnostics channels.
 */
export class Connection extends EventEmitter<ConnectionEvents> {
  readonly role: Role;
  readonly protocol: string;
  readonly extensions: string;
  /** 'h2' on an HTTP/2 stream (RFC 8441), else 'http/1.1'. */
  readonly transport: Transport;
  readonly counters: ConnectionCounters = newCounters();
  private state: ReadyStateValue = ReadyState.OPEN;
  private readonly socket: Duplex;
  private readonly inbound: Inbound;
  private readonly outbound: Outbound;
  private readonly closing: CloseHandshake;
  private readonly autoPong: boolean;
  private readonly heartbeat: Heartbeat | null;
  private readonly idle: IdleWatch | null;
  /** The payload of the latest ping not answered yet, while the peer is not reading. */
  private pendingPong: Buffer | null = null;
  /** Iterators of `for await`, made on first use: most connections never have one. */
  private iterators: Set<MessageIterator> | null = null;
  /** The Web Streams and Duplex views, made on first use. */
  private views: StreamViews | null = null;
  /** With `streamMessages`: the hold every streamed message's reader shares; else null. */
  private readonly streamHold: ReadHold | null;
  /** Its server's topics (src/topics), or null for a connection no server accepted. */
  private readonly membership: TopicMembership | null;

  constructor(socket: Duplex, options: ConnectionOptions) {
    super();
    validateOptions(options, CONNECTION_SCHEMA);
    checkStages(options.stages, (options.extensionStages ?? []).map((stages) => stages.name));
    this.socket = socket;
    this.role = options.role;
    this.protocol = options.protocol ?? '';
    this.extensions = options.extensions ?? '';
    this.transport = options.transport ?? 'http/1.1';
    this.autoPong = options.autoPong ?? true;
    // Everything the parts call back goes through one object with methods, and the socket's
    // listeners are shared functions: a closure per callback cost about 1 KiB per connection
    // (heap snapshots of 1,000 idle connections: see README, "Reliability").
    const links = new Connection.Links(this);
    this.outbound = new Outbound(socket, (sink) => buildOutbound(options, sink, links), options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT, this.counters, links, options.onSendBufferFull === 'close');
    this.inbound = new Inbound(socket, buildInbound(options, links, links), links);
    this.streamHold = options.streamMessages === true ? this.inbound.holdFor(HOLD_STREAM) : null;
    this.closing = new CloseHandshake(links, options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS, ERROR_GRACE_MS);
    this.heartbeat = options.heartbeat
      ? new Heartbeat(options.heartbeat, (payload) => this.outbound.sendControl({ type: 'ping', data: payload }), () =>
          this.closing.timedOut('heartbeat timeout: no pong from the peer'),
        )
      : null;
    const idleTimeout = options.idleTimeout ?? 0;
    this.idle = idleTimeout > 0 ? new IdleWatch(links, IdleSweeper.of(idleTimeout)) : null;
    this.membership = options.topics ? options.topics(this.publishPort(options)) : null;

    (socket as OwnedSocket)[kConnection] = this;
    socket.on('data', Connection.onSocketData);
    socket.on('end', Connection.onSocketEnd);
    socket.on('close', Connection.onSocketClose);
    // A socket error (reset, timeout) ends the connection as 1006; 'close' reports it.
    socket.on('error', Connection.onSocketError);
    socket.on('drain', Connection.onSocketDrain);
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
    this.heartbeat?.start();
    channels.open.publish({ connection: this });
    // Nothing is read until the next macrotask, so that whoever got this connection from a
    // promise (`await connect()`) or an event has attached its listeners: a message the
    // peer sends right after the handshake is not lost. Then the bytes that came with the
    // handshake go first, and the socket flows. (`head` goes as an argument: a closure
    // would keep it, and the request's bytes it is a slice of, for the connection's life.)
    socket.pause();
    setImmediate(Connection.start, this, options.head);
  }

  private static start(connection: Connection, head: Buffer | undefined): void {
    if (head && head.length > 0) connection.onData(head);
    if (connection.inbound.flowing && !connection.socket.destroyed) connection.socket.resume();
  }

  private static onSocketData(this: Duplex, chunk: Buffer): void {
    (this as OwnedSocket)[kConnection].onData(chunk);
  }

  private static onSocketEnd(this: Duplex): void {
    (this as OwnedSocket)[kConnection].endSocket();
  }

  /** `hadError` (net and tls sockets): the transport failed, so our close frame may not have left. */
  private static onSocketClose(this: Duplex, hadError?: boolean): void {
    (this as OwnedSocket)[kConnection].onSocketClose(hadError === true);
  }

  private static onSocketError(this: Duplex): void {
    this.destroy();
  }

  private static onSocketDrain(this: Duplex): void {
    const connection = (this as OwnedSocket)[kConnection];
    connection.outbound.checkDrain();
    const pong = connection.pendingPong;
    if (pong !== null) {
      connection.pendingPong = null;
      connection.answerPing(pong);
    }
  }

  /** What the connection's parts call back, as methods of one object per connection. */
  private static readonly Links = class implements OutboundHost, CloseHost, InboundHost, RecordSink<InboundRecord>, ChainHost, IdleHost {
    readonly role: Role;

    constructor(private readonly connection: Connection) {
      this.role = connection.role;
    }

    /** The decode chain's output. */
    accept(record: InboundRecord): void {
      this.connection.onRecord(record);
    }

    fail(error: Error): void {
      this.connection.fail(error);
    }

    inboundError(error: unknown, thrown: boolean): void {
      this.connection.onInboundError(error, thrown);
    }

    drained(): void {
      this.connection.emit('drain');
    }

    stoppedBy(ownCloseSent: boolean): WebSocketError | null {
      return this.connection.closing.stoppedBy(ownCloseSent);
    }

    sendCloseFrame(code: number | undefined, reason: string, now: boolean): void {
      this.connection.outbound.sendClose(closePart(code, reason), now);
    }

    endSocket(): void {
      const connection = this.connection;
      connection.outbound.whenEncoded(() => connection.endSocket());
    }

    destroySocket(): void {
      this.connection.socket.destroy();
    }

    idlePing(): void {
      if (this.connection.state === ReadyState.OPEN) this.connection.outbound.sendControl({ type: 'ping', data: EMPTY_BUFFER });
    }

    idleExpired(): void {
      const connection = this.connection;
      // RFC 6455 §7.4.1: 1001 "going away" — this endpoint is leaving a connection it no
      // longer serves, as a server going down does; not 1011, which reports an unexpected
      // condition that prevented it from fulfilling a request: silence is neither.
      const error = new WebSocketError('WS_ERR_IDLE_TIMEOUT', CloseCode.GOING_AWAY, `Idle timeout: nothing received for ${connection.idle!.timeout} ms`);
      // A peer that said nothing will not answer a close frame: no closeTimeout wait, the
      // short grace of a failure. Not an 'error' event: closing idle peers is routine.
      connection.fail(error, false);
    }
  };

  get readyState(): ReadyStateValue {
    return this.state;
  }

  /** Bytes accepted by `send()` and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.outbound.bufferedAmount;
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
    return this.closing.details ?? undefined;
  }

  get remoteAddress(): string | undefined {
    return (this.socket as { remoteAddress?: string }).remoteAddress;
  }

  get remotePort(): number | undefined {
    return (this.socket as { remotePort?: number }).remotePort;
  }

  /**
   * Sends a text (string) or binary (bytes) message. Returns true while there is room,
   * false when the caller should wait (`await drained()`, or the `'drain'` event) before
   * sending more. Once the connection is closing or closed the message is dropped and
   * false is returned: tell the two apart with `readyState`, or use `drained()`, which
   * rejects then. Throws `WS_ERR_SEND_BUFFER_FULL` (nothing sent) when other messages are
   * buffered and this one would take the total past `maxBufferedAmount`; a message alone
   * may be larger than the bound.
   */
  send(data: string | BinaryData, options?: SendOptions): boolean {
    validateSendArguments(data, options);
    if (this.state !== ReadyState.OPEN) return false;
    const text = typeof data === 'string';
    const binary = options?.binary ?? !text;
    const accepted = this.outbound.sendData(binary ? 'binary' : 'text', data, options?.compress);
    this.counters.messagesOut++;
    return accepted;
  }

  /**
   * Sends one message whose payload comes from `source` (a Readable, e.g. a file stream,
   * or any async iterable of chunks), as continuation frames, waiting for room between
   * chunks. Data messages sent meanwhile go after it. Resolves once its last frame was
   * handed to the operating system; rejects when it cannot have reached the peer whole
   * (the connection closed or failed, or the peer's close frame came first), or when the
   * source fails.
   */
  async sendStream(source: Readable | AsyncIterable<Buffer | Uint8Array | string>, options: SendOptions = {}): Promise<void> {
    validateOptions(options, SEND_OPTIONS_SCHEMA);
    if (typeof (source as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator] !== 'function') {
      throw optionTypeError('The source to send must be a Readable or an async iterable of chunks', 'ERR_INVALID_ARG_TYPE');
    }
    // With our own close counted as sent, there is always a reason.
    if (this.state !== ReadyState.OPEN) throw this.closing.stoppedBy(true)!;
    await this.outbound.sendStream(source, options.binary === false ? 'text' : 'binary', options.compress);
    this.counters.messagesOut++;
  }

  /**
   * Resolves when `send()` has room again (at once if it has); rejects with a
   * WebSocketError once the connection is closing or closed, so a sending loop ends.
   */
  drained(): Promise<void> {
    return this.outbound.drained();
  }

  /**
   * Resolves once everything sent so far has been handed to the operating system
   * (compression included), or once the connection closed.
   */
  flushed(): Promise<void> {
    return this.outbound.flushed();
  }

  /**
   * Subscribes this connection to `topic` of the server that accepted it: every message
   * published there (`server.publish()`, another connection's `publish()`, or another
   * process through the server's broker) is sent to it. Returns false when it already was
   * subscribed, or is no longer open. Closing leaves every topic.
   */
  subscribe(topic: string): boolean {
    return this.topicMembership().subscribe(topic);
  }

  /** Leaves `topic`; returns whether it was subscribed. */
  unsubscribe(topic: string): boolean {
    return this.topicMembership().unsubscribe(topic);
  }

  /** The topics this connection is subscribed to (a copy). */
  get topics(): ReadonlySet<string> {
    return this.membership?.topics() ?? new Set();
  }

  /**
   * Publishes a message to `topic` (text for a string, binary for bytes; `options` as
   * `send()`'s) for every subscriber but this connection, here and, through the server's
   * broker, in other processes. Returns how many local subscribers it was written to.
   */
  publish(topic: string, data: string | BinaryData, options?: SendOptions): number {
    return this.topicMembership().publish(topic, data, options);
  }

  /** Sends a ping (at most 125 bytes). */
  ping(data: string | BinaryData = EMPTY_BUFFER): void {
    if (this.state === ReadyState.OPEN) this.outbound.sendControl({ type: 'ping', data });
  }

  /** Sends an unsolicited pong (at most 125 bytes). */
  pong(data: string | BinaryData = EMPTY_BUFFER): void {
    if (this.state === ReadyState.OPEN) this.outbound.sendControl({ type: 'pong', data });
  }

  /**
   * Starts the close handshake: messages sent before are delivered first, then a close
   * frame; the socket ends when the peer answers, or is destroyed after `closeTimeout`.
   * Throws for a code or reason that may not be sent (RFC 6455 §7.4), before anything happens.
   */
  close(code?: number, reason = ''): void {
    closePart(code, reason); // checks code and reason now; the frame is built when it is sent
    if (this.state !== ReadyState.OPEN) return;
    this.state = ReadyState.CLOSING;
    this.emit('closing', code ?? CloseCode.NO_STATUS, reason);
    this.closing.start(code, reason);
  }

  /** Destroys the socket at once, with no close handshake (reported as 1006). */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSING;
    this.socket.destroy();
  }

  /**
   * Async iteration over data messages, pausing the socket when the consumer lags. It ends
   * after a normal close (a clean 1000, 1001 or 1005) and throws a {@link CloseError}
   * after any other, as `messages$` errors.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<DataMessage> {
    const iterator = new MessageIterator(
      DEFAULT_ITERATOR_HIGH_WATER,
      () => this.inbound.hold(HOLD_CONSUMER),
      () => this.inbound.release(HOLD_CONSUMER),
      (done) => this.iterators?.delete(done),
    );
    const details = this.closing.details;
    if (details) iterator.end(endError(details));
    else (this.iterators ??= new Set()).add(iterator);
    return iterator;
  }

  /**
   * The connection as Web Streams, `{ readable, writable, protocol, extensions, closed }`,
   * with backpressure both ways (README: "Web Streams"). Call it before the first `await`
   * after getting the connection; the first call's options apply, later calls give the
   * same streams.
   */
  stream(options?: WebStreamOptions): ConnectionStreams {
    return this.streamViews().web(options);
  }

  /** The connection as an object-mode Duplex of messages, for `stream.pipeline()` (README: "Web Streams"). */
  duplex(options?: MessageDuplexOptions): MessageDuplex {
    return this.streamViews().duplex(options);
  }

  private streamViews(): StreamViews {
    return (this.views ??= new StreamViews(
      this,
      this.inbound.holdFor(HOLD_STREAM_VIEW),
      this.streamHold !== null,
    ));
  }

  private topicMembership(): TopicMembership {
    if (this.membership) return this.membership;
    const error = new Error('Topics belong to a server: only a connection a WebSocketServer accepted can subscribe or publish') as Error & { code: string };
    error.code = 'WS_ERR_NO_TOPICS';
    throw error;
  }

  /** What the server's topics may do with this connection: send published messages through its accounting. */
  private publishPort(options: ConnectionOptions): PublishPort {
    const counters = this.counters;
    return {
      connection: this,
      encoding: { fragmentSize: options.fragmentSize, extensions: options.extensionStages ?? [], customStages: (options.stages?.encode?.length ?? 0) !== 0 },
      isOpen: () => this.state === ReadyState.OPEN,
      bufferedAmount: () => this.outbound.bufferedAmount,
      sendFramed: (frame) => {
        counters.messagesOut++;
        // Counted when accepted: these bytes do not pass through the encode chain's sink.
        counters.bytesOut += frame.size;
        return this.outbound.sendFramed(frame);
      },
      sendOwn: (kind, payload, compress) => {
        counters.messagesOut++;
        return this.outbound.send(wholePart(kind, payload, compress));
      },
    };
  }

  private onData(chunk: Buffer): void {
    this.counters.bytesIn += chunk.length;
    this.idle?.received(chunk.length);
    this.inbound.accept(chunk);
  }

  private onInboundError(error: unknown, thrown: boolean): void {
    if (error instanceof WebSocketError) {
      this.fail(error);
      return;
    }
    // Not the peer's fault: a listener threw. Close with 1011 and let it surface, as Node does.
    this.fail(new WebSocketError('WS_ERR_INVALID_MESSAGE', CloseCode.INTERNAL_ERROR, 'Internal error', { cause: error }));
    if (thrown) throw error;
  }

  private onRecord(record: InboundRecord): void {
    // The rest of a chunk after a close frame or a failure is not processed (RFC 6455 §5.5.1).
    if (this.inbound.stopped) return;
    this.idle?.alive();
    switch (record.type) {
      case 'text':
      case 'binary':
        this.counters.messagesIn++;
        this.emit('message', record);
        // Iterating an empty Set still allocates an iterator: skip it on the per-message path.
        if (this.iterators !== null && this.iterators.size !== 0) for (const iterator of this.iterators) iterator.push(record);
        break;
      case 'stream':
        this.counters.messagesIn++;
        record.stream.attach(this.streamHold!.hold, this.streamHold!.release);
        this.emit('stream', record.stream);
        break;
      case 'ping':
        // The message object only for a subscriber: a ping flood allocates nothing more.
        if (channels.ping.hasSubscribers) channels.ping.publish({ connection: this, data: record.data });
        this.emit('ping', record.data);
        if (this.autoPong) this.answerPing(record.data);
        break;
      case 'pong':
        if (channels.pong.hasSubscribers) channels.pong.publish({ connection: this, data: record.data });
        this.heartbeat?.pong(record.data);
        this.emit('pong', record.data);
        break;
      case 'close':
        // RFC 6455 §5.5.1: nothing after a close frame is processed.
        this.inbound.stop();
        if (this.state === ReadyState.OPEN) this.state = ReadyState.CLOSING;
        if (this.closing.onCloseFrame(record.code, record.reason)) this.emit('closing', record.code ?? CloseCode.NO_STATUS, record.reason);
        break;
    }
  }

  /**
   * Answers a ping (RFC 6455 §5.5.2). While the peer does not read what we send (the socket
   * holds a high-water mark of bytes), only the latest ping is kept, and answered on
   * 'drain' — §5.5.3 lets an endpoint answer only the most recent of the pings it has not
   * answered yet —, so a ping flood cannot grow the send buffer.
   */
  private answerPing(data: Buffer): void {
    const socket = this.socket;
    if (this.state !== ReadyState.OPEN) return;
    if (this.pendingPong === null && socket.writableLength < socket.writableHighWaterMark) {
      this.outbound.sendControl({ type: 'pong', data });
    } else {
      // A copy: the payload is a slice of a whole read from the socket.
      this.pendingPong = Buffer.from(data);
    }
  }

  /** A protocol error: close with its code, report it once, destroy after a short grace. */
  private fail(error: Error, emitError = true): void {
    if (this.state === ReadyState.CLOSED || !this.closing.fail(error)) return;
    this.inbound.stop();
    this.state = ReadyState.CLOSING;
    channels.error.publish({ connection: this, error });
    // An 'error' without a listener would crash the process: bad input must not do that.
    if (emitError && this.listenerCount('error') > 0) this.emit('error', error);
  }

  private endSocket(): void {
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
  }

  private onSocketClose(transportFailed: boolean): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSED;
    this.heartbeat?.stop();
    this.idle?.stop();
    this.pendingPong = null;
    const details = this.closing.finish(transportFailed);
    this.outbound.stop(this.closing.stoppedBy(true)!);
    const error = endError(details);
    if (this.iterators !== null) for (const iterator of this.iterators) iterator.end(error);
    this.iterators = null;
    this.inbound.destroy();
    this.outbound.destroy();
    channels.close.publish({ connection: this, code: details.code, reason: details.reason, wasClean: details.wasClean });
    this.emit('close', details.code, details.reason, details.wasClean);
  }
}
