import { isUtf8 } from 'node:buffer';
import { CloseCode } from '../../close-codes.js';
import { invalidUtf8Error, protocolError, tooBigError, WebSocketError } from '../../errors.js';
import { parseClosePayload } from '../close-frame.js';
import { DECODER_LIMITS_SCHEMA, resolveMaxPayload, type DecoderLimits } from '../limits.js';
import { validateOptions } from '../../validation/schema.js';
import { RSV1, type Message, type MessageKind, type MessagePart } from '../records.js';
import { batchOf, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from '../stage.js';
import { Utf8Validator } from '../utf8-validator.js';
import { MEMORY_BUDGET_CHECK, type MemoryBudget } from '../memory-budget.js';
import { MessageAssembler } from './message-assembler.js';

export interface MessageDecoderOptions extends Pick<DecoderLimits, 'maxPayload'> {
  /**
   * Where a message arriving in pieces reserves the memory it holds, shared with other
   * decoders (a server's connections); past it the connection fails with 1013. None by
   * default here; a connection always has one.
   */
  messageMemory?: MemoryBudget | undefined;
}

/**
 * MessagePart → Message. Enforces `maxPayload` on the whole message before the excess is
 * buffered, validates text as UTF-8 part by part so invalid bytes fail in the frame where
 * they arrive (RFC 6455 §8.1), and checks close payloads (§5.5.1, §7.4).
 */
export class MessageDecoderCore implements StageCore<MessagePart> {
  private readonly maxPayload: number;
  private readonly memory: MemoryBudget | null;
  /** Made for the first message that arrives in pieces: most connections never get one. */
  private assembler: MessageAssembler | null = null;
  private utf8: Utf8Validator | null = null;
  /** Kind of the data message being assembled, or null. */
  private kind: MessageKind | null = null;

  constructor(
    options: MessageDecoderOptions,
    private readonly next: RecordSink<Message>,
  ) {
    validateOptions(options, { maxPayload: DECODER_LIMITS_SCHEMA.maxPayload!, messageMemory: MEMORY_BUDGET_CHECK });
    this.maxPayload = resolveMaxPayload(options);
    this.memory = options.messageMemory ?? null;
  }

  accept(part: MessagePart): void {
    // Inflate clears RSV1: a compressed part here had no stage to inflate it (RFC 7692 §6).
    // Other allowed bits pass: what they mean is up to the extension that claimed them.
    if (part.rsv & RSV1) throw protocolError('WS_ERR_COMPRESSION_NOT_NEGOTIATED', 'Compressed message (RSV1) without a negotiated compression extension');
    const kind = part.kind;
    if (kind === 'text' || kind === 'binary') {
      this.acceptData(kind, part);
    } else if (kind === 'close') {
      this.next.accept(parseClosePayload(part.data));
    } else {
      this.next.accept({ type: kind, data: part.data });
    }
  }

  /** Gives back what a message in progress holds of the memory budget. */
  destroy(): void {
    this.assembler?.discard();
  }

  finish(): void {
    if (this.kind !== null) {
      throw new WebSocketError('WS_ERR_UNEXPECTED_EOF', CloseCode.ABNORMAL, 'The input ended in the middle of a message');
    }
  }

  private acceptData(kind: 'text' | 'binary', part: MessagePart): void {
    const data = part.data;
    if (this.kind === null) {
      if (part.last && data.length <= this.maxPayload) {
        this.emitWhole(kind, data);
        return;
      }
      this.kind = kind;
    }
    const assembler = (this.assembler ??= new MessageAssembler(this.maxPayload, this.memory));
    if (assembler.length + data.length > this.maxPayload) {
      throw tooBigError('WS_ERR_MESSAGE_TOO_BIG', `Message larger than maxPayload (${this.maxPayload} bytes)`);
    }
    const utf8 = kind === 'text' ? (this.utf8 ??= new Utf8Validator()) : null;
    if (utf8 !== null && !utf8.write(data)) throw invalidUtf8Error('text message');
    const frameLength = part.frameLength;
    if (frameLength !== undefined) assembler.reserve(Math.min(assembler.length + frameLength, this.maxPayload));
    assembler.append(data);
    if (!part.last) return;
    this.kind = null;
    const payload = assembler.take();
    if (utf8 !== null) {
      const complete = utf8.end();
      utf8.reset();
      if (!complete) throw invalidUtf8Error('text message');
      this.next.accept({ type: 'text', data: payload.toString('utf8') });
    } else {
      this.next.accept({ type: 'binary', data: payload });
    }
  }

  /** The common case: a message in one part, validated and delivered without copying. */
  private emitWhole(kind: 'text' | 'binary', data: Buffer): void {
    if (kind === 'binary') {
      this.next.accept({ type: 'binary', data });
    } else if (isUtf8(data)) {
      this.next.accept({ type: 'text', data: data.toString('utf8') });
    } else {
      throw invalidUtf8Error('text message');
    }
  }
}

/** The message-decoding stage as a Transform: {@link MessagePart} in, {@link Message} out. */
export class MessageDecoder extends StageTransform<MessagePart, Message> {
  constructor(options: MessageDecoderOptions & StageStreamOptions = {}) {
    super((sink) => new MessageDecoderCore(options, sink), { objectMode: true, batch: batchOf(options) });
  }
}
