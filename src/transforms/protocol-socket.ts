import { Duplex } from 'node:stream';
import { isValidWireCloseCode } from '../close-codes.js';
import { WebSocketError } from '../errors.js';
import { validateOptions } from '../validation/schema.js';
import { createEncoderCore } from './encoder.js';
import { ROLE_SCHEMA } from './limits.js';
import type { Role } from './records.js';

/** After the close frame of a failure, how long the peer gets to close TCP before it is destroyed. */
export const PROTOCOL_SOCKET_GRACE_MS = 1_000;

export interface ProtocolSocketOptions {
  /** Our role: a client masks the close frame it sends (RFC 6455 §5.3). */
  role: Role;
}

/**
 * A socket as both ends of a raw `stream.pipeline`, closing the way RFC 6455 §7.1.7 asks
 * when a stage fails: `pipeline` destroys every stream when one errors, so a socket put
 * there directly dies before the peer learns why. This Duplex stands in for it:
 *
 * ```ts
 * const wire = new ProtocolSocket(socket, { role: 'server' });
 * pipeline(wire, new HeaderParser(), new Unmasker({ role: 'server' }), …, new FrameSerializer(), wire, done);
 * ```
 *
 * Destroyed with a `WebSocketError` whose close code may be sent, it writes the close
 * frame with that code, ends TCP, and destroys the socket if the peer has not closed it
 * within {@link PROTOCOL_SOCKET_GRACE_MS}. Destroyed with another error, it destroys the
 * socket; ended, it ends the socket. Reads follow backpressure (the socket pauses).
 */
export class ProtocolSocket extends Duplex {
  private readonly socket: Duplex;
  private readonly role: Role;

  constructor(socket: Duplex, options: ProtocolSocketOptions) {
    validateOptions(options, ROLE_SCHEMA);
    super({ allowHalfOpen: true });
    this.socket = socket;
    this.role = options.role;
    socket.on('data', this.onData);
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.push(chunk)) this.socket.pause();
  };

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const socket = this.socket;
    if (socket.destroyed) {
      callback(error);
      return;
    }
    if (error instanceof WebSocketError && isValidWireCloseCode(error.closeCode) && !socket.writableEnded) {
      this.sendCloseFrame(error.closeCode);
      socket.end();
      const timer = setTimeout(() => socket.destroy(), PROTOCOL_SOCKET_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      // RFC 6455 §7.1.7: nothing more is read; what the peer still sends is discarded.
      socket.off('data', this.onData);
      socket.resume();
    } else if (error) {
      socket.destroy();
    } else if (!socket.writableEnded) {
      socket.end();
    }
    callback(error);
  }

  private sendCloseFrame(code: number): void {
    const encoder = createEncoderCore({ role: this.role }, { accept: (bytes) => this.socket.write(bytes) });
    encoder.accept({ type: 'close', code, reason: '' });
  }
}
