import { ReadableStream, WritableStream, type ReadableStreamDefaultController, type WritableStreamDefaultController } from 'node:stream/web';
import { CloseCode } from '../close-codes.js';
import { CloseError, type WebSocketCloseInfo } from '../errors.js';
import type { DataMessage } from '../transforms/records.js';
import { toBytesOrString } from '../validation/webidl.js';
import type { CloseDetails } from './close-handshake.js';
import { closeUsingReason } from './close-reason.js';
import type { Connection } from './connection.js';
import type { ReadHold } from './inbound.js';
import { ReadyState } from './ready-state.js';
import { DEFAULT_STREAM_HIGH_WATER_MARK, type WebStreamOptions } from './stream-options.js';
import { ViewFeed, type ViewListener } from './view-feed.js';

/** A received message: text as a string, binary as a Uint8Array (a view of the received bytes, not a copy). */
export type StreamMessage = string | Uint8Array;
/** What the writable takes: text, or bytes (copied, as the standard says); any other value is sent as its string. */
export type StreamChunk = string | ArrayBuffer | ArrayBufferView;
/** The close frame a clean close received: its code (1005 if it had none) and reason. */
export type ClosedInfo = Required<WebSocketCloseInfo>;

/** WHATWG `WebSocketOpenInfo`: what `WebSocketStream.opened` resolves with. */
export interface WebSocketOpenInfo {
  readonly readable: ReadableStream<StreamMessage>;
  readonly writable: WritableStream<StreamChunk>;
  /** The subprotocol agreed ('' for none). */
  readonly protocol: string;
  /** The Sec-WebSocket-Extensions value agreed ('' for none). */
  readonly extensions: string;
}

/** What `connection.stream()` gives: the streams, and how the connection closed. */
export interface ConnectionStreams extends WebSocketOpenInfo {
  /** Resolves with the close frame received once the connection closed cleanly; rejects with a CloseError otherwise. */
  readonly closed: Promise<ClosedInfo>;
}

/** The web streams of one connection (see {@link WebStreamView}). */
export function connectionStreams(connection: Connection, readHold: ReadHold, options: WebStreamOptions): ConnectionStreams {
  return new WebStreamView(connection, readHold, options).streams;
}

/**
 * A connection as a ReadableStream of its messages and a WritableStream of messages to
 * send, with the semantics of the WHATWG WebSocketStream proposal
 * (https://github.com/whatwg/websockets/pull/48):
 *
 * - each chunk is one message; the readable has a real pull: while it holds
 *   `readableHighWaterMark` bytes nobody read, the socket is not read (TCP pushes back);
 * - a write resolves once its frame was handed to the operating system, so the
 *   writable's queue (in bytes, `writableHighWaterMark`) is what has not left yet;
 * - cancelling the readable or aborting the writable closes the connection, with the
 *   close code of a WebSocketError reason; closing the writable closes it with no code
 *   and resolves once the close handshake is over;
 * - a clean close ends the readable; any other errors both streams with one CloseError,
 *   and rejects `closed` with it.
 *
 * On a client connection (what `WebSocketStream` uses) a clean close also errors the
 * writable with an InvalidStateError, and the CloseError reports the close frame
 * received (1006 if none), as the standard says. On a server connection the writable is
 * left to finish — a write after the close fails, `close()` resolves — so that a handler's
 * `readable.pipeThrough(t).pipeTo(writable)` resolves when the client closes; its
 * CloseError is the connection's own (the code it failed with, and the cause).
 */
class WebStreamView implements ViewListener {
  readonly streams: ConnectionStreams;
  private readonly feed: ViewFeed;
  private readonly standard: boolean;
  private reader!: ReadableStreamDefaultController<StreamMessage>;
  private writer!: WritableStreamDefaultController;
  /** The readable was cancelled, closed or errored: nothing more is enqueued. */
  private readableDone = false;
  /** The writable was closed or aborted through its sink: a clean close does not error it. */
  private writableDone = false;
  private failure: CloseError | null = null;
  private settleClosed!: { resolve: (info: ClosedInfo) => void; reject: (error: Error) => void };

  constructor(
    private readonly connection: Connection,
    readHold: ReadHold,
    options: WebStreamOptions,
  ) {
    this.standard = connection.role === 'client';
    this.feed = new ViewFeed(connection, readHold, this);
    const readable = new ReadableStream<StreamMessage>(
      {
        start: (controller) => {
          this.reader = controller;
        },
        pull: () => this.feed.caughtUp(),
        cancel: (reason) => {
          this.readableDone = true;
          closeUsingReason(connection, reason);
        },
      },
      { highWaterMark: options.readableHighWaterMark ?? DEFAULT_STREAM_HIGH_WATER_MARK, size: sizeOf },
    );
    const writable = new WritableStream<StreamChunk>(
      {
        start: (controller) => {
          this.writer = controller;
        },
        write: (chunk) => this.write(chunk),
        close: () => this.closeWritable(),
        abort: (reason) => {
          this.writableDone = true;
          closeUsingReason(connection, reason);
        },
      },
      { highWaterMark: options.writableHighWaterMark ?? DEFAULT_STREAM_HIGH_WATER_MARK, size: sizeOf },
    );
    const closed = new Promise<ClosedInfo>((resolve, reject) => {
      this.settleClosed = { resolve, reject };
    });
    // Nobody need wait for `closed`: an unclean close must not be an unhandled rejection.
    closed.catch(() => {});
    this.streams = { readable, writable, protocol: connection.protocol, extensions: connection.extensions, closed };
  }

  message(message: DataMessage): void {
    if (this.readableDone) return;
    this.reader.enqueue(message.type === 'text' ? message.data : new Uint8Array(message.data.buffer, message.data.byteOffset, message.data.byteLength));
    if ((this.reader.desiredSize ?? 0) <= 0) this.feed.behind();
  }

  closed(details: CloseDetails): void {
    const wasOpen = !this.readableDone;
    this.readableDone = true;
    if (details.wasClean) {
      if (wasOpen) this.reader.close();
      if (this.standard && !this.writableDone) this.writer.error(closedForWriting());
      this.settleClosed.resolve({ closeCode: details.code, reason: details.reason });
      return;
    }
    const reported = this.standard ? reportedClose(details) : details;
    const error = new CloseError({ code: reported.code, reason: reported.reason, wasClean: false }, { cause: details.error ?? undefined });
    this.failure = error;
    if (wasOpen) this.reader.error(error);
    this.writer.error(error);
    this.settleClosed.reject(error);
  }

  /** Sends one message; resolves once it was handed to the operating system (or delivered by a clean close). */
  private async write(chunk: unknown): Promise<void> {
    const data = toBytesOrString(chunk);
    if (this.connection.readyState !== ReadyState.OPEN) throw closedForWriting();
    this.connection.send(data);
    await this.connection.flushed();
    // flushed() also resolves when the connection closed: then only a clean close delivered it.
    if (this.connection.readyState === ReadyState.OPEN) return;
    if (!(await this.feed.ended).wasClean) throw this.failure!;
  }

  /** Closes the connection with no status code; resolves once the close handshake is over. */
  private async closeWritable(): Promise<void> {
    this.writableDone = true;
    this.connection.close();
    if (!(await this.feed.ended).wasClean) throw this.failure!;
  }
}

/**
 * RFC 6455 §7.1.5–§7.1.6: the close code and reason of a closed connection are those of the
 * close frame received, 1005 if it had no code, 1006 and '' if none was received (also
 * when we failed the connection: what we sent is not reported).
 */
export function reportedClose(details: CloseDetails): { code: number; reason: string } {
  return { code: details.remote?.code ?? CloseCode.ABNORMAL, reason: details.remote?.reason ?? '' };
}

/** WHATWG: what a WebSocketStream's writable fails with once the connection is closing or closed. */
function closedForWriting(): DOMException {
  return new DOMException('Cannot write: the WebSocket connection is closing or closed', 'InvalidStateError');
}

/** A chunk's size for the queues: bytes, or a string's length. */
function sizeOf(chunk: unknown): number {
  if (typeof chunk === 'string') return chunk.length;
  if (ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer) return chunk.byteLength;
  return 0;
}
