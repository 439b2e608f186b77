import type { ConnectOptions } from '../client/connect-options.js';
import { CloseCode } from '../close-codes.js';
import type { Connection } from '../connection/connection.js';
import { STREAM_OPTIONS_SCHEMA, type WebStreamOptions } from '../connection/stream-options.js';
import type { ClosedInfo, WebSocketOpenInfo } from '../connection/web-streams.js';
import { WebSocketError, type WebSocketCloseInfo } from '../errors.js';
import { validateOptions } from '../validation/schema.js';
import { requireArguments, toDictionary, toEnforcedUnsignedShort, toUSVString } from '../validation/webidl.js';
import { checkCloseStatus, parseProtocols, parseWebSocketUrl } from './arguments.js';
import { connectLikeBrowsers, validateClientOptions } from './client-options.js';
import { noProtocolSelected } from './open-check.js';

/** WHATWG `WebSocketStreamOptions`. */
export interface WebSocketStreamOptions {
  /** Subprotocols to offer, most preferred first (a sequence: a lone string is a TypeError). */
  protocols?: Iterable<string>;
  /** Aborting it before the connection is established fails it; afterwards it does nothing. */
  signal?: AbortSignal | null;
}

/**
 * wspipe options the standard has no place for: `connect()`'s (TLS, headers, limits,
 * extensions; permessage-deflate is offered unless `perMessageDeflate: false`) and the
 * streams' high-water marks.
 */
export type WebSocketStreamConnectOptions = Omit<ConnectOptions, 'protocols' | 'signal' | 'streamMessages'> & WebStreamOptions;

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void };

/**
 * The WHATWG WebSocketStream (https://github.com/whatwg/websockets/pull/48, shipped in
 * Chromium 124): a WebSocket client whose messages are a ReadableStream and a
 * WritableStream, with backpressure both ways — while nobody reads the readable the socket
 * is not read, and a write resolves once its frame was handed to the operating system.
 * A third constructor argument takes wspipe's client options.
 */
export class WebSocketStream {
  readonly #url: string;
  readonly #opened = deferred<WebSocketOpenInfo>();
  readonly #closed = deferred<ClosedInfo>();
  readonly #abort = new AbortController();
  #state: 'connecting' | 'open' | 'failed' = 'connecting';
  #connection: Connection | null = null;

  constructor(url: string | URL, options?: WebSocketStreamOptions, connectOptions: WebSocketStreamConnectOptions = {}) {
    requireArguments(arguments.length, 1, "Failed to construct 'WebSocketStream'");
    const parsed = parseWebSocketUrl(url);
    const given = toDictionary(options, "Failed to construct 'WebSocketStream': the options");
    const protocols = toProtocolList(given.protocols);
    const signal = given.signal ?? undefined;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError("Failed to construct 'WebSocketStream': the signal is not an AbortSignal.");
    const { readableHighWaterMark, writableHighWaterMark, ...clientOptions } = connectOptions;
    validateClientOptions(clientOptions, 'WebSocketStream');
    const streamOptions = { readableHighWaterMark, writableHighWaterMark };
    validateOptions(streamOptions, STREAM_OPTIONS_SCHEMA);
    this.#url = parsed.href;
    if (signal?.aborted) {
      this.#fail(signal.reason);
      return;
    }
    const onAbort = (): void => {
      if (this.#state !== 'connecting') return;
      this.#abort.abort();
      this.#fail(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    connectLikeBrowsers(parsed, protocols, clientOptions, this.#abort.signal).then(
      (connection) => {
        signal?.removeEventListener('abort', onAbort);
        this.#open(connection, protocols.length > 0, streamOptions);
      },
      (error: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        this.#fail(notOpened(error));
      },
    );
  }

  /** The URL, serialised (http(s) given to the constructor reads as ws(s)). */
  get url(): string {
    return this.#url;
  }

  /** Resolves with `{ readable, writable, protocol, extensions }` once the connection is established. */
  get opened(): Promise<WebSocketOpenInfo> {
    return this.#opened.promise;
  }

  /**
   * Resolves with `{ closeCode, reason }` of the close frame received once the connection
   * closed cleanly; rejects with a WebSocketError (a CloseError: `closeCode` 1006 when no
   * close frame came) otherwise, and with the abort reason when the signal aborted it.
   */
  get closed(): Promise<ClosedInfo> {
    return this.#closed.promise;
  }

  /**
   * Starts the close handshake with `closeCode` (1000 or 3000-4999; InvalidAccessError
   * otherwise) and `reason` (at most 123 UTF-8 bytes; SyntaxError otherwise); without a
   * code, the close frame carries none. Before the connection is established, fails it.
   */
  close(closeInfo?: WebSocketCloseInfo): void {
    const given = toDictionary(closeInfo, "Failed to execute 'close' on 'WebSocketStream': the close info");
    const code = given.closeCode === undefined ? undefined : toEnforcedUnsignedShort(given.closeCode, 'closeCode');
    const status = checkCloseStatus(code, given.reason === undefined ? '' : toUSVString(given.reason));
    if (this.#state === 'connecting') {
      this.#abort.abort();
      this.#fail(notOpened(new Error('WebSocketStream was closed before the connection was established')));
      return;
    }
    this.#connection?.close(status.code, status.reason);
  }

  #open(connection: Connection, protocolsOffered: boolean, streamOptions: WebStreamOptions): void {
    if (this.#state !== 'connecting') {
      connection.terminate();
      return;
    }
    const failure = noProtocolSelected(connection, protocolsOffered);
    if (failure) {
      connection.terminate();
      this.#fail(notOpened(failure));
      return;
    }
    this.#state = 'open';
    this.#connection = connection;
    const { readable, writable, protocol, extensions, closed } = connection.stream(streamOptions);
    this.#opened.resolve({ readable, writable, protocol, extensions });
    closed.then(this.#closed.resolve, this.#closed.reject);
  }

  /** The connection was never established: `opened` and `closed` reject with `reason`. */
  #fail(reason: unknown): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'failed';
    this.#opened.reject(reason);
    this.#closed.reject(reason);
  }
}

/** WebIDL `sequence<USVString>`: an iterable object (a lone string is a TypeError), then each a valid, unrepeated token. */
function toProtocolList(protocols: unknown): string[] {
  if (protocols === undefined) return [];
  const iterable = protocols as Partial<Iterable<unknown>> | null;
  if (typeof protocols !== 'object' || iterable === null || typeof iterable[Symbol.iterator] !== 'function') {
    throw new TypeError("Failed to construct 'WebSocketStream': the protocols are not a sequence.");
  }
  return parseProtocols(Array.from(iterable as Iterable<unknown>, toUSVString));
}

/**
 * Why a connection could not be established, as a WebSocketError (the standard rejects
 * with one): a HandshakeError as it is; anything else (refused, reset, TLS, aborted)
 * wrapped, with `closeCode` 1006 and the original as `cause`.
 */
function notOpened(error: unknown): WebSocketError {
  if (error instanceof WebSocketError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WebSocketError('WS_ERR_CLOSED', CloseCode.ABNORMAL, `The WebSocket connection could not be established: ${message}`, { cause: error });
}

/** A promise with its settlers; never an unhandled rejection (nobody need wait for `opened` or `closed`). */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
