import type { ConnectOptions } from '../client/connect.js';
import type { Connection } from '../connection/connection.js';
import { ReadyState, type ReadyStateValue } from '../connection/ready-state.js';
import { toError } from '../errors.js';
import type { DataMessage } from '../transforms/records.js';
import { parseCloseArguments, parseProtocols, parseWebSocketUrl } from './arguments.js';
import { normaliseSendData, sendSize, toBinaryType, toBinaryTypeValue, type BinaryType, type SendData } from './binary.js';
import { BufferedAmount } from './buffered-amount.js';
import { connectLikeBrowsers, validateClientOptions } from './client-options.js';
import { closeOutcome, neverOpened, type CloseOutcome } from './close-outcome.js';
import { domException } from './dom-exception.js';
import { noProtocolSelected } from './open-check.js';
import { CloseEvent, ErrorEvent } from './events.js';
import { SendQueue } from './send-queue.js';
import { requireArguments } from '../validation/webidl.js';

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

  readonly #url: string;
  readonly #origin: string;
  #state: ReadyStateValue = ReadyState.CONNECTING;
  #binaryType: BinaryType = 'blob';
  #connection: Connection | null = null;
  #protocol = '';
  #extensions = '';
  /** Why a send could not be handed to the connection ("flagged as full"): it was then closed. */
  #sendFailure: Error | null = null;
  readonly #abort = new AbortController();
  readonly #buffered = new BufferedAmount();
  readonly #queue = new SendQueue((data, size) => this.#transmit(data, size));
  readonly #handlers = new Map<HandlerType, { handler: AnyHandler; listener: (event: Event) => void }>();

  constructor(url: string | URL, protocols?: string | Iterable<string>, options: WebSocketOptions = {}) {
    super();
    requireArguments(arguments.length, 1, "Failed to construct 'WebSocket'");
    const parsed = parseWebSocketUrl(url);
    const offered = parseProtocols(protocols);
    validateClientOptions(options, 'WebSocket');
    this.#url = parsed.href;
    this.#origin = parsed.origin;
    connectLikeBrowsers(parsed, offered, options, this.#abort.signal).then(
      (connection) => this.#opened(connection, offered.length > 0),
      (error: unknown) => this.#closed(neverOpened(toError(error))),
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

  /** The URL, serialised (http(s) given to the constructor reads as ws(s)). */
  get url(): string {
    return this.#url;
  }

  /** The later of our state and the connection's: a close frame from the peer makes it CLOSING. */
  get readyState(): ReadyStateValue {
    const connection = this.#connection?.readyState ?? ReadyState.CONNECTING;
    return Math.max(this.#state, connection) as ReadyStateValue;
  }

  get bufferedAmount(): number {
    return this.#buffered.value;
  }

  get protocol(): string {
    return this.#protocol;
  }

  get extensions(): string {
    return this.#extensions;
  }

  /** Default 'blob' as in browsers; a string that is not a BinaryType is ignored, as WebIDL enums are. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(value: BinaryType) {
    this.#binaryType = toBinaryTypeValue(value) ?? this.#binaryType;
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
    requireArguments(arguments.length, 1, "Failed to execute 'send' on 'WebSocket'");
    const payload = normaliseSendData(data); // WebIDL converts before the method's steps
    const state = this.readyState;
    if (state === ReadyState.CONNECTING) throw domException('InvalidStateError', 'Still in CONNECTING state.');
    const size = sendSize(payload);
    this.#buffered.add(size);
    if (state !== ReadyState.OPEN) return;
    if (payload instanceof Blob || !this.#queue.idle) this.#queue.push(payload, size);
    else this.#transmit(payload, size);
  }

  /**
   * Starts the closing handshake, after the messages sent before it; while CONNECTING,
   * fails the connection instead (error, then close 1006).
   */
  close(code?: number, reason?: string): void {
    const checked = parseCloseArguments(code, reason);
    const state = this.readyState;
    if (state === ReadyState.CLOSING || state === ReadyState.CLOSED) return;
    this.#state = ReadyState.CLOSING;
    if (state === ReadyState.CONNECTING) {
      this.#abort.abort();
      return;
    }
    const connection = this.#connection!;
    this.#queue.after(() => connection.close(checked.code, checked.reason));
  }

  #transmit(data: string | Buffer, size: number): void {
    const connection = this.#connection!;
    // The peer may have started closing while a Blob was read: then the data is discarded (still counted).
    if (connection.readyState !== ReadyState.OPEN) return;
    try {
      connection.send(data);
    } catch (error) {
      // It cannot be buffered: the WebSocket is "flagged as full" and its connection closed (error, then close).
      this.#sendFailure = toError(error);
      connection.terminate();
      return;
    }
    this.#buffered.handedTo(connection, size);
  }

  #opened(connection: Connection, protocolsOffered: boolean): void {
    // close() came while the handshake was finishing, or (WHATWG "establish a WebSocket
    // connection", stricter than RFC 6455) subprotocols were offered and none was selected:
    // the connection is failed.
    const failure =
      this.#state !== ReadyState.CONNECTING
        ? new Error('WebSocket was closed before the connection was established')
        : noProtocolSelected(connection, protocolsOffered);
    if (failure !== null) {
      connection.terminate();
      this.#closed(neverOpened(failure));
      return;
    }
    this.#connection = connection;
    this.#protocol = connection.protocol;
    this.#extensions = connection.extensions;
    connection.on('message', (message) => this.#onMessage(message));
    connection.on('close', () => this.#closed(closeOutcome(connection.closeInfo!, this.#sendFailure)));
    this.#state = ReadyState.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  #onMessage(message: DataMessage): void {
    // Messages that arrive after closing started are not delivered (spec).
    if (this.readyState !== ReadyState.OPEN) return;
    const data = message.type === 'text' ? message.data : toBinaryType(message.data, this.#binaryType);
    this.dispatchEvent(new MessageEvent('message', { data, origin: this.#origin }));
  }

  /** WHATWG "the WebSocket connection is closed": CLOSED, then error if it was failed, then close. */
  #closed({ code, reason, wasClean, failure }: CloseOutcome): void {
    this.#state = ReadyState.CLOSED;
    if (failure) this.dispatchEvent(new ErrorEvent('error', { message: failure.message, error: failure }));
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
