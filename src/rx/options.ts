import type { NextObserver, SchedulerLike } from 'rxjs';
import type { ConnectOptions } from '../client/connect.js';
import type { Connection } from '../connection/connection.js';
import type { DataMessage } from '../transforms/records.js';
import type { ReconnectOptions } from './backoff.js';
import type { CloseInfo } from './close-info.js';
import type { BufferOptions } from './outbound-buffer.js';
import type { WireData } from './wire.js';

/**
 * Options of `connect$`: all of `connect()`'s (but `signal`: unsubscribe instead, and
 * `streamMessages`: values are whole messages), plus the rx ones.
 */
export interface RxConnectOptions<In = DataMessage, Out = WireData> extends Omit<ConnectOptions, 'signal' | 'streamMessages'> {
  /** Turns a value given to `next()` into what is sent. Default: strings → text, bytes → binary. */
  serializer?: (value: Out) => WireData;
  /** Turns a received message into the value emitted. Default: the message itself. A throw errors the subject. */
  deserializer?: (message: DataMessage) => In;
  /** Told each time an underlying connection opens (first one and every reconnection). */
  openObserver?: NextObserver<Connection>;
  /** Told each time an underlying connection closes, however it closed. */
  closeObserver?: NextObserver<CloseInfo>;
  /** Told each time a deliberate close (complete, error, last unsubscribe) starts. */
  closingObserver?: NextObserver<void>;
  /** Reconnect after closes and failures not asked for. Default false; true uses the defaults. */
  reconnect?: boolean | ReconnectOptions;
  /** The bound and overflow policy of the outbound buffer. */
  buffer?: BufferOptions;
  /** Schedules reconnection delays and measures stable connections. Default asyncScheduler. */
  scheduler?: SchedulerLike;
}
