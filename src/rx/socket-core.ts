import { asyncScheduler, BehaviorSubject, Observable, Subject, type SchedulerLike, type Subscriber, type TeardownLogic } from 'rxjs';
import type { ConnectOptions } from '../client/connect.js';
import type { Connection } from '../connection/connection.js';
import { ReadyState } from '../connection/ready-state.js';
import type { DataMessage } from '../transforms/records.js';
import { reconnectPolicy, type ReconnectPolicy } from './backoff.js';
import { ChannelRegistry } from './channels.js';
import { closeRequestOf } from './close-info.js';
import { FlushWaiters } from './flush-waiters.js';
import { Link } from './link.js';
import { multiplex, type MultiplexHost } from './multiplex.js';
import type { RxConnectOptions } from './options.js';
import { BufferOverflowError, OutboundBuffer, type Pending } from './outbound-buffer.js';
import type { ConnectionState } from './state.js';
import { defaultDeserializer, defaultSerializer, sendWire, wireSize, type WireData } from './wire.js';

/** A value that `next()` received and that was never sent, and why. */
export interface DroppedValue<Out> {
  value: Out;
  /** `overflow`: the buffer policy; `closing`: sent during a deliberate close; `closed`: the session ended first. */
  reason: 'overflow' | 'closing' | 'closed';
}

/** One run of subscribers sharing one link; a new one starts after the last ended. */
interface Session<In> {
  link: Link;
  output: Subject<In>;
  refs: number;
  /** Set by error(e) and by our own failures: subscribers get it instead of the link's outcome. */
  failure: { error: unknown } | null;
}

/**
 * The workings of a `connect$` subject: shares one link among subscribers, buffers what
 * cannot be sent yet, follows the socket's backpressure, keeps multiplex channels, and
 * turns complete/error/unsubscribe into deliberate closes.
 */
export class SocketCore<In, Out> implements MultiplexHost<In, Out> {
  readonly state = new BehaviorSubject<ConnectionState>('closed');
  readonly dropped = new Subject<DroppedValue<Out>>();
  private session: Session<In> | null = null;
  private readonly buffer: OutboundBuffer<Out>;
  readonly channels = new ChannelRegistry();
  private readonly serializer: (value: Out) => WireData;
  private readonly deserializer: (message: DataMessage) => In;
  private readonly policy: ReconnectPolicy | null;
  private readonly scheduler: SchedulerLike;
  private readonly connectOptions: ConnectOptions;
  /** The socket asked to wait for 'drain': values queue meanwhile. */
  private congested = false;
  private seq = 0;
  private readonly flushes = new FlushWaiters();

  constructor(
    private readonly url: string | URL,
    private readonly options: RxConnectOptions<In, Out>,
  ) {
    const { serializer, deserializer, openObserver, closeObserver, closingObserver, reconnect, buffer, scheduler, ...connectOptions } = options;
    this.serializer = serializer ?? defaultSerializer;
    this.deserializer = deserializer ?? (defaultDeserializer as unknown as (message: DataMessage) => In);
    this.policy = reconnectPolicy(reconnect);
    this.scheduler = scheduler ?? asyncScheduler;
    this.buffer = new OutboundBuffer(buffer);
    this.connectOptions = connectOptions;
  }

  /** The connection values go to now: open, and not closing. */
  get connection(): Connection | null {
    const link = this.session?.link;
    const connection = link?.state === 'open' && !link.stopping ? link.connection : null;
    return connection?.readyState === ReadyState.OPEN ? connection : null;
  }

  attach(subscriber: Subscriber<In>): TeardownLogic {
    const reuse = this.session && !this.session.link.stopping;
    const session = reuse ? this.session! : this.newSession();
    session.refs++;
    const inner = session.output.subscribe(subscriber);
    if (!reuse) session.link.start();
    return () => {
      inner.unsubscribe();
      if (--session.refs === 0) session.link.stop({ code: 1000, reason: '', graceful: false });
    };
  }

  next(value: Out): void {
    let wire: WireData;
    let size: number;
    try {
      wire = this.serializer(value);
      size = wireSize(wire);
    } catch (error) {
      this.failOrThrow(error);
      return;
    }
    if (this.session?.link.stopping) {
      this.dropped.next({ value, reason: 'closing' });
      return;
    }
    const connection = this.connection;
    if (connection && !this.congested && this.buffer.length === 0) {
      this.seq++;
      this.send(connection, wire);
      return;
    }
    const pending = { value, wire, size, seq: ++this.seq };
    const { dropped, overflow } = this.buffer.offer(pending);
    if (overflow) this.overflow(pending);
    else {
      this.reportDropped(dropped, 'overflow');
      if (connection && !this.congested) this.pump(connection, false);
      else this.settleWaiters();
    }
  }

  /** Closes with the code the error carries (1011 by default); subscribers get the error. */
  error(error: unknown): void {
    if (this.session) this.fail(this.session, error);
  }

  /** Sends what is waiting, then closes with 1000; subscribers complete after the close. */
  complete(): void {
    this.session?.link.stop({ code: 1000, reason: '', graceful: true });
  }

  multiplex(subscribeMessage: () => Out, unsubscribeMessage: () => Out, filter: (value: In) => boolean): Observable<In> {
    return multiplex(this, subscribeMessage, unsubscribeMessage, filter);
  }

  serialize(value: Out): WireData {
    return this.serializer(value);
  }

  sendIfOpen(message: () => WireData): void {
    const connection = this.connection;
    if (!connection) return;
    try {
      this.send(connection, message());
    } catch (error) {
      if (this.session) this.fail(this.session, error); // the serializer threw
    }
  }

  /**
   * Resolves once every value given to `next()` so far has left the buffer and its bytes
   * were handed to the operating system; rejects if one still waiting is dropped
   * meanwhile. Values dropped before the call were already reported on dropped$.
   */
  flushed(): Promise<void> {
    const done = this.flushes.wait(this.seq);
    this.settleWaiters();
    return done;
  }

  private newSession(): Session<In> {
    const output = new Subject<In>();
    const session: Session<In> = { link: null as unknown as Link, output, refs: 0, failure: null };
    session.link = new Link(this.url, this.connectOptions, this.policy, this.scheduler, {
      state: (state) => {
        if (this.session === session) this.state.next(state);
      },
      open: (connection) => this.onOpen(session, connection),
      message: (message) => this.onMessage(session, message),
      closing: () => this.onClosing(session),
      close: (info) => {
        if (this.session === session) this.congested = false;
        this.options.closeObserver?.next(info);
      },
      end: (error) => this.onEnd(session, error),
    });
    this.session = session;
    return session;
  }

  private onOpen(session: Session<In>, connection: Connection): void {
    this.options.openObserver?.next(connection);
    if (this.session !== session || (session.link.stopping && !session.link.stopping.graceful)) return;
    this.congested = false;
    for (const subscribe of this.channels.subscribeMessages()) {
      if (!this.send(connection, subscribe)) return;
    }
    this.pump(connection, false);
  }

  private onMessage(session: Session<In>, message: DataMessage): void {
    if (session.failure) return;
    let value: In;
    try {
      value = this.deserializer(message);
    } catch (error) {
      this.fail(session, error);
      return;
    }
    session.output.next(value);
  }

  /** A deliberate close is starting: what is still waiting goes first, regardless of 'drain'. */
  private onClosing(session: Session<In>): void {
    this.options.closingObserver?.next();
    const connection = session.link.connection;
    if (this.session === session && connection) this.pump(connection, true);
  }

  private onEnd(session: Session<In>, error: Error | null): void {
    if (this.session === session) {
      this.session = null;
      this.congested = false;
      this.reportDropped(this.buffer.clear(), 'closed');
      this.settleWaiters();
    }
    const failure = session.failure ? session.failure.error : error;
    if (failure) session.output.error(failure);
    else session.output.complete();
  }

  /** Sends one value; false if that failed (the session is then failing). */
  private send(connection: Connection, wire: WireData): boolean {
    try {
      if (!sendWire(connection, wire)) this.awaitDrain(connection);
      return true;
    } catch (error) {
      if (this.session) this.fail(this.session, error);
      return false;
    }
  }

  private pump(connection: Connection, force: boolean): void {
    while (this.buffer.length > 0 && (force || !this.congested) && connection.readyState === ReadyState.OPEN) {
      if (!this.send(connection, this.buffer.shift()!.wire)) break;
    }
    this.settleWaiters();
  }

  private awaitDrain(connection: Connection): void {
    if (this.congested) return;
    this.congested = true;
    connection.once('drain', () => {
      if (this.connection !== connection) return;
      this.congested = false;
      this.pump(connection, false);
    });
  }

  /** The buffer is full and the policy is 'error' or 'close' (see OverflowPolicy). */
  private overflow(rejected: Pending<Out>): void {
    const error = new BufferOverflowError(this.buffer.limit, this.buffer.maxBytes);
    if (this.buffer.policy === 'close') {
      this.reportDropped([...this.buffer.clear(), rejected], 'overflow');
      this.session?.link.drop(error.closeCode, 'outbound buffer full', error);
      this.settleWaiters();
    } else {
      this.reportDropped([rejected], 'overflow');
      this.failOrThrow(error);
    }
  }

  /** Our own failure: with a session it errors the subscribers; with none, the caller hears it. */
  private failOrThrow(error: unknown): void {
    if (!this.session) throw error;
    this.fail(this.session, error);
  }

  private fail(session: Session<In>, error: unknown): void {
    if (session.failure) return;
    session.failure = { error };
    const { code, reason } = closeRequestOf(error);
    session.link.stop({ code, reason, graceful: false });
  }

  private reportDropped(items: Array<Pending<Out>>, reason: DroppedValue<Out>['reason']): void {
    for (const item of items) {
      this.flushes.dropped(item.seq);
      this.dropped.next({ value: item.value, reason });
    }
  }

  private settleWaiters(): void {
    this.flushes.settle(this.buffer.oldestSeq, this.session?.link.connection ?? null);
  }
}
