import { distinctUntilChanged, Observable, type Observer } from 'rxjs';
import type { Connection } from '../connection/connection.js';
import type { DataMessage } from '../transforms/records.js';
import type { DroppedValue, SocketCore } from './socket-core.js';
import type { ConnectionState } from './state.js';
import type { WireData } from './wire.js';

/**
 * What `connect$` returns, in the spirit of rxjs's WebSocketSubject: an Observable of
 * received values (subscribing connects; concurrent subscribers share the connection;
 * the last one leaving closes it with 1000) and an Observer of values to send.
 */
export class SocketSubject<In = DataMessage, Out = WireData> extends Observable<In> implements Observer<Out> {
  /** connecting → open → closing → closed, and reconnecting; the current state first. */
  readonly state$: Observable<ConnectionState>;
  /** Every value given to `next()` that was not sent, with the reason. */
  readonly dropped$: Observable<DroppedValue<Out>>;
  readonly #core: SocketCore<In, Out>;

  constructor(core: SocketCore<In, Out>) {
    super((subscriber) => core.attach(subscriber));
    this.#core = core;
    this.state$ = core.state.pipe(distinctUntilChanged());
    this.dropped$ = core.dropped.asObservable();
  }

  get state(): ConnectionState {
    return this.#core.state.value;
  }

  /** The underlying connection while it is open (a new one after each reconnection). */
  get connection(): Connection | null {
    return this.#core.connection;
  }

  /** Sends now if open, else buffers (bounded; see the `buffer` option) until the next open. */
  next(value: Out): void {
    this.#core.next(value);
  }

  /** Closes with the error's `closeCode` or numeric `code` (1011 by default); subscribers get the error. No reconnection. */
  error(error: unknown): void {
    this.#core.error(error);
  }

  /** Sends what is buffered, closes with 1000, and completes the subscribers. No reconnection. */
  complete(): void {
    this.#core.complete();
  }

  /**
   * A channel over this socket: subscribing sends `subscribeMessage()` (once per channel,
   * however many subscribers share it, and again after every reconnection), emits the
   * received values that pass `filter`, and the last unsubscriber sends
   * `unsubscribeMessage()` — only while connected: a closed connection has nothing to
   * unsubscribe from. Channels are identified by their subscribe message.
   */
  multiplex(subscribeMessage: () => Out, unsubscribeMessage: () => Out, filter: (value: In) => boolean): Observable<In> {
    return this.#core.multiplex(subscribeMessage, unsubscribeMessage, filter);
  }

  /**
   * Resolves when everything given to `next()` so far is sent and flushed to the OS;
   * rejects if a value still waiting is dropped meanwhile (see dropped$).
   */
  flushed(): Promise<void> {
    return this.#core.flushed();
  }
}
