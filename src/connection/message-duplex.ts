import { Duplex } from 'node:stream';
import { CloseCode } from '../close-codes.js';
import { bufferOf } from '../transforms/encode/message-encoder.js';
import type { DataMessage } from '../transforms/records.js';
import { closeUsingReason } from './close-reason.js';
import type { CloseDetails } from './close-handshake.js';
import type { Connection } from './connection.js';
import { endError } from './end-error.js';
import type { ReadHold } from './inbound.js';
import { ReadyState } from './ready-state.js';
import { DEFAULT_DUPLEX_HIGH_WATER_MARK, type MessageDuplexOptions } from './stream-options.js';
import { ViewFeed, type ViewListener } from './view-feed.js';

/** What a message Duplex reads (text as a string, binary as a Buffer) and what it writes. */
export type DuplexMessage = string | Buffer;

/**
 * A connection as an object-mode Duplex of messages, for `stream.pipeline(duplex,
 * transform, duplex)`: it reads each data message (a string for text, a Buffer for
 * binary) and sends each chunk written (a string as text; a Buffer, Uint8Array or
 * ArrayBuffer as binary, not copied).
 *
 * Backpressure both ways: when `readableHighWaterMark` messages wait unread the socket is
 * not read, and a write calls back once the connection has room (`drained()`). `end()`
 * closes the connection with no status code (the peer sees 1005) and finishes once the
 * close handshake is over. The readable side ends after a normal close (a clean 1000,
 * 1001 or 1005) and fails with a CloseError after any other, as async iteration does;
 * writing once the close handshake has started fails. `destroy(error)` closes with the
 * close code of a WebSocketError, 1011 for any other error (an unexpected condition,
 * RFC 6455 §7.4.1), or no code without one (or with an AbortError: a consumer that
 * stopped on purpose, as a `break` out of `for await` does).
 */
export class MessageDuplex extends Duplex {
  private readonly feed: ViewFeed;

  constructor(
    private readonly connection: Connection,
    readHold: ReadHold,
    options: MessageDuplexOptions,
  ) {
    super({
      objectMode: true,
      // The connection has no half-close: once the peer's close ended the readable side, so is the writable.
      allowHalfOpen: false,
      readableHighWaterMark: options.readableHighWaterMark ?? DEFAULT_DUPLEX_HIGH_WATER_MARK,
      writableHighWaterMark: options.writableHighWaterMark ?? DEFAULT_DUPLEX_HIGH_WATER_MARK,
    });
    const listener: ViewListener = { message: (message) => this.onMessage(message), closed: (details) => this.onClosed(details) };
    this.feed = new ViewFeed(connection, readHold, listener);
  }

  private onMessage(message: DataMessage): void {
    if (this.destroyed || this.readableEnded) return;
    if (!this.push(message.data)) this.feed.behind();
  }

  private onClosed(details: CloseDetails): void {
    if (this.destroyed) return;
    const error = endError(details);
    if (error) this.destroy(error);
    else this.push(null);
  }

  override _read(): void {
    this.feed.caughtUp();
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const data = typeof chunk === 'string' ? chunk : bufferOf(chunk);
    if (data === null) {
      callback(new TypeError(`A message Duplex sends strings (text) and Buffers, Uint8Arrays or ArrayBuffers (binary). Received ${typeof chunk}`));
      return;
    }
    // Once closing, drained() rejects with why (the peer's close frame, our close, a failure).
    if (this.connection.readyState !== ReadyState.OPEN) {
      this.connection.drained().then(() => callback(notOpen()), callback);
      return;
    }
    let room: boolean;
    try {
      room = this.connection.send(data);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (room) callback();
    else this.connection.drained().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.connection.close();
    void this.feed.ended.then((details) => callback(endError(details)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.connection.readyState === ReadyState.OPEN) {
      // An AbortError is a consumer that stopped on purpose (a `break` out of `for await`), not a failure.
      const failure = error?.name === 'AbortError' ? undefined : error ?? undefined;
      closeUsingReason(this.connection, failure, { code: CloseCode.INTERNAL_ERROR, reason: '' });
    }
    callback(error);
  }
}

function notOpen(): Error {
  return new Error('The connection is closing: the message was not sent');
}
