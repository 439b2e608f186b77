import type { ConnectOptions } from '../client/connect.js';
import type { Connection } from '../connection/connection.js';
import { ReadyState, type ReadyStateValue } from '../connection/ready-state.js';
import type { DataMessage } from '../transforms/records.js';
import { parseCloseArguments, parseProtocols, parseWebSocketUrl } from './arguments.js';
import { isBinaryType, normaliseSendData, sendSize, toBinaryType, type BinaryType, type SendData } from './binary.js';
import { connect } from '../client/connect.js';
import { domException } from './dom-exception.js';
import { CloseEvent, ErrorEvent } from './events.js';
import { SendQueue } from './send-queue.js';

/** wspipe client options that the browser API has no place for (TLS, headers, limits...). */
export type WebSocketOptions = Omit<ConnectOptions, 'protocols' | 'signal' | 'streamMessages'>;

export type WebSocketEventHandler<E extends Event> = ((this: WebSocket, event: E) => unknown) | null;

type HandlerType = 'open' | 'message' | 'close' | 'error';
type AnyHandler = (this: WebSocket, event: Event) => unknown;

/**
 * The WHATWG WebSocket API (https://websockets.spec.whatwg.org/) on top of a wspipe
 * client connection, so that browser-style code (rxjs's `webSocket`, for one) runs in
 * Node unchanged. Differences that Node users may want: `binaryType` also takes
 * 'nodebuffer', and a third constructor argument takes wspipe's client options.
 */
export class WebSocket extends EventTarget {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;

  readonly url: string;
  #state: ReadyStateValue = ReadyState.CONNECTING;
  #binaryType: BinaryType = 'blob';
  #connection: Connection | null = null;
  #protocol = '';
  #extensions = '';
  /** Bytes passed to send() once closing had started: discarded, but counted (spec). */
  #discarded = 0;
  /** Set when the connection is failed rather than closed: 'error' precedes 'close'. */
  #failure: unknown = null;
  readonly #origin: string;
  readonly #abort = new AbortController();
  readonly #queue = new SendQueue((data, size) => this.#transmit(data, size));
  readonly #handlers = new Map<HandlerType, { handler: AnyHandler; listener: (event: Event) => void }>();

  constructor(url: string | URL, protocols?: string | readonly string[], options: WebSocketOptions = {}) {
    super();
    const parsed = parseWebSocketUrl(url);
    const offered = parseProtocols(protocols);
    this.url = parsed.href;
    this.#origin = parsed.origin;
    connect(parsed, { ...options, protocols: offered, signal: this.#abort.signal }).then(
      (connection) => this.#opened(connection),
      (error: unknown) => this.#closed(1006, '', false, error),
    );
  }

  get CONNECTING(): 0 {
    return ReadyState.CONNECTING;
  }
  get OPEN(): 1 {
    return ReadyState.OPEN;
  }
  get CLOSING(): 2 {
    return ReadyState.CLOSING;
  }
  get CLOSED(): 3 {
    return ReadyState.CLOSED;
  }

  /** The later of our state and the connection's: a close frame from the peer makes it CLOSING. */
  get readyState(): ReadyStateValue {
    const connection = this.#connection?.readyState ?? ReadyState.CONNECTING;
    return Math.max(this.#state, connection) as ReadyStateValue;
  }

  get bufferedAmount(): number {
    return (this.#connection?.bufferedAmount ?? 0) + this.#queue.bufferedAmount + this.#discarded;
  }

  get protocol(): string {
    return this.#protocol;
  }

  get extensions(): string {
    return this.#extensions;
  }

  /** Default 'blob' as in browsers; an unknown value is ignored, as WebIDL enums are. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(value: BinaryType) {
    if (isBinaryType(value)) this.#binaryType = value;
  }

  get onopen(): WebSocketEventHandler<Event> {
    return this.#getHandler('open');
  }
  set onopen(handler: WebSocketEventHandler<Event>) {
    this.#setHandler('open', handler);
  }
  get onmessage(): WebSocketEventHandler<MessageEvent> {
    return this.#getHandler('message');
  }
  set onmessage(handler: WebSocketEventHandler<MessageEvent>) {
    this.#setHandler('message', handler);
  }
  get onclose(): WebSocketEventHandler<CloseEvent> {
    return this.#getHandler('close');
  }
  set onclose(handler: WebSocketEventHandler<CloseEvent>) {
    this.#setHandler('close', handler);
  }
  get onerror(): WebSocketEventHandler<ErrorEvent> {
    return this.#getHandler('error');
  }
  set onerror(handler: WebSocketEventHandler<ErrorEvent>) {
    this.#setHandler('error', handler);
  }

  /**
   * Sends text (a string) or binary data. Throws InvalidStateError while CONNECTING;
   * once closing has started the data is discarded but still counted in bufferedAmount.
   */
  send(data: SendData): void {
    if (this.readyState === ReadyState.CONNECTING) throw domException('InvalidStateError', 'Still in CONNECTING state.');
    const payload = normaliseSendData(data);
    const size = sendSize(payload);
    if (payload instanceof Blob || !this.#queue.idle) this.#queue.push(payload, size);
    else this.#transmit(payload, size);
  }

  /** Starts the closing handshake; while CONNECTING, abandons the connection attempt instead. */
  close(code?: number, reason?: string): void {
    const checked = parseCloseArguments(code, reason);
    const state = this.readyState;
    if (state === ReadyState.CLOSING || state === ReadyState.CLOSED) return;
    this.#state = ReadyState.CLOSING;
    if (state === ReadyState.CONNECTING) this.#abort.abort();
    else this.#connection!.close(checked.code, checked.reason);
  }

  #transmit(data: string | Buffer, size: number): void {
    if (this.readyState !== ReadyState.OPEN) {
      this.#discarded += size;
      return;
    }
    try {
      this.#connection!.send(data);
    } catch (error) {
      // The outgoing buffer is full: the spec closes the connection (no handshake) and reports an error.
      this.#failure = error;
      this.#discarded += size;
      this.#connection!.terminate();
    }
  }

  #opened(connection: Connection): void {
    if (this.#state !== ReadyState.CONNECTING) {
      // close() came while the handshake was finishing: the spec fails the connection.
      connection.terminate();
      this.#closed(1006, '', false, new Error('WebSocket was closed before the connection was established'));
      return;
    }
    this.#connection = connection;
    this.#protocol = connection.protocol;
    this.#extensions = connection.extensions;
    connection.on('message', (message) => this.#onMessage(message));
    connection.on('error', (error) => {
      this.#failure = error;
    });
    connection.on('close', (code, reason, wasClean) => this.#closed(code, reason, wasClean, this.#failure));
    this.#state = ReadyState.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  #onMessage(message: DataMessage): void {
    // Messages that arrive after closing started are not delivered (spec).
    if (this.readyState !== ReadyState.OPEN) return;
    const data = message.type === 'text' ? message.data : toBinaryType(message.data, this.#binaryType);
    this.dispatchEvent(new MessageEvent('message', { data, origin: this.#origin }));
  }

  #closed(code: number, reason: string, wasClean: boolean, failure: unknown): void {
    this.#state = ReadyState.CLOSED;
    if (failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      this.dispatchEvent(new ErrorEvent('error', { message, error: failure }));
    }
    this.dispatchEvent(new CloseEvent('close', { code, reason, wasClean }));
  }

  #getHandler<E extends Event>(type: HandlerType): WebSocketEventHandler<E> {
    return (this.#handlers.get(type)?.handler ?? null) as WebSocketEventHandler<E>;
  }

  /** Event handler attributes: one listener per type, replaced in place, removed by null. */
  #setHandler<E extends Event>(type: HandlerType, handler: WebSocketEventHandler<E>): void {
    const current = this.#handlers.get(type);
    if (typeof handler !== 'function') {
      if (current) this.removeEventListener(type, current.listener);
      this.#handlers.delete(type);
      return;
    }
    if (current) {
      current.handler = handler as AnyHandler;
      return;
    }
    const slot = {
      handler: handler as AnyHandler,
      listener: (event: Event): void => {
        slot.handler.call(this, event);
      },
    };
    this.#handlers.set(type, slot);
    this.addEventListener(type, slot.listener);
  }
}
