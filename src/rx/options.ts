import type { NextObserver, SchedulerLike } from 'rxjs';
import { CONNECT_SCHEMA, validateConnectOptions, type ConnectOptions } from '../client/connect-options.js';
import { checkStages } from '../connection/chains.js';
import { buildUpgradeRequest } from '../handshake/upgrade-client-request.js';
import { resolveExtensions } from '../extensions/resolve.js';
import { boolean, either, func, integer, numberIn, object, oneOf, validateOptions, withMethods, type Schema } from '../validation/schema.js';
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

const observer = withMethods('an observer with next()', 'next');

/** The checks of the options `connect$` adds to `connect()`'s. */
const RX_ONLY_SCHEMA: Schema = {
  serializer: func,
  deserializer: func,
  openObserver: observer,
  closeObserver: observer,
  closingObserver: observer,
  reconnect: either(
    boolean,
    object({
      initialDelay: integer(0),
      maxDelay: integer(0),
      factor: numberIn(1, Number.MAX_SAFE_INTEGER),
      jitter: numberIn(0, 1),
      maxRetries: integer(0, Infinity),
      resetAfter: integer(0),
      shouldReconnect: func,
      random: func,
    }),
  ),
  buffer: object({ limit: integer(0, Infinity), bytes: integer(0, Infinity), overflow: oneOf(['error', 'drop-newest', 'drop-oldest', 'close']) }),
  scheduler: withMethods('an rxjs scheduler', 'now', 'schedule'),
};

/** The checks of every `connect$` option: `connect()`'s and the rx ones. */
export const RX_CONNECT_SCHEMA: Schema = { ...CONNECT_SCHEMA, ...RX_ONLY_SCHEMA };

/** Checks the URL and every option at the call, as `connect()` does. */
export function validateRxConnect(url: string | URL, options: RxConnectOptions<unknown, unknown>): void {
  // connect()'s own check, so that its rules across options (proxy or agent) fail here too, not at the first subscription.
  validateConnectOptions(options);
  validateOptions(options, RX_ONLY_SCHEMA);
  if ('signal' in options) throw new TypeError('connect$ takes no "signal" option: unsubscribe to close');
  // The values of a subject are whole messages: a connection streaming them emits none.
  if ((options as { streamMessages?: boolean }).streamMessages === true) {
    throw new TypeError('connect$ takes no "streamMessages" option: its values are whole messages');
  }
  const extensions = resolveExtensions(options, 'client');
  // As connect() does: a stage placed after no stage fails here, not at the first subscription.
  checkStages(options.stages, extensions.map((extension) => extension.name));
  buildUpgradeRequest(new URL(url), { protocols: options.protocols, headers: options.headers, origin: options.origin, extensions });
}
