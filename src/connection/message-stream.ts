import { Readable } from 'node:stream';
import { invalidUtf8Error } from '../errors.js';
import { parseClosePayload } from '../transforms/close-frame.js';
import type { Message, MessagePart } from '../transforms/records.js';
import type { RecordSink, StageCore } from '../transforms/stage.js';
import { Utf8Validator } from '../transforms/utf8-validator.js';

/**
 * One incoming data message as a Readable of its payload chunks, delivered as they
 * arrive. Its size is bounded by backpressure (the socket pauses while the reader lags),
 * not by maxPayload, so a multi-gigabyte upload never sits in memory whole.
 * Text arrives as UTF-8 bytes, validated on the way; `setEncoding('utf8')` joins split
 * code points.
 */
export class MessageStream extends Readable {
  readonly type: 'text' | 'binary';
  private pauseSocket: (() => void) | null = null;
  private resumeSocket: (() => void) | null = null;

  constructor(type: 'text' | 'binary') {
    super();
    this.type = type;
  }

  /** Called by the connection: how to pause and resume the socket for this stream. */
  attach(pause: () => void, resume: () => void): void {
    this.pauseSocket = pause;
    this.resumeSocket = resume;
  }

  /** Pushes a chunk; pauses the socket when the reader is behind. */
  deliver(chunk: Buffer | null): void {
    if (!this.push(chunk) && chunk !== null) this.pauseSocket?.();
  }

  override _read(): void {
    this.resumeSocket?.();
  }
}

/** Inbound records of a connection: whole messages, or a data message as a stream. */
export type InboundRecord = Message | { type: 'stream'; stream: MessageStream };

/**
 * MessagePart → streamed messages: the end of the decode chain when a connection
 * streams data messages. Control messages are decoded whole, as by MessageDecoder.
 */
export class MessageStreamerCore implements StageCore<MessagePart> {
  private current: MessageStream | null = null;
  private readonly utf8 = new Utf8Validator();

  constructor(private readonly next: RecordSink<InboundRecord>) {}

  accept(part: MessagePart): void {
    const kind = part.kind;
    if (kind === 'close') {
      this.next.accept(parseClosePayload(part.data));
      return;
    }
    if (kind === 'ping' || kind === 'pong') {
      this.next.accept({ type: kind, data: part.data });
      return;
    }
    let stream = this.current;
    if (stream === null) {
      stream = new MessageStream(kind);
      this.current = stream;
      this.utf8.reset();
      this.next.accept({ type: 'stream', stream });
    }
    if (kind === 'text' && (!this.utf8.write(part.data) || (part.last && !this.utf8.end()))) {
      const error = invalidUtf8Error('text message');
      this.current = null;
      stream.destroy(error);
      throw error;
    }
    if (part.data.length > 0) stream.deliver(part.data);
    if (part.last) {
      this.current = null;
      stream.deliver(null);
    }
  }


  /** The connection ended: a message still streaming ends with an error. */
  destroy(error: Error): void {
    this.current?.destroy(error);
    this.current = null;
  }
}
