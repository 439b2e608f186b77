import type { DataMessage } from '../transforms/records.js';
import { validateRxConnect, type RxConnectOptions } from './options.js';
import { SocketCore } from './socket-core.js';
import { SocketSubject } from './socket-subject.js';
import type { WireData } from './wire.js';

/**
 * A {@link SocketSubject} for a `ws://` or `wss://` URL. Nothing connects until the
 * first subscription. Without a deserializer the values are wspipe Messages.
 */
export function connect$<In = DataMessage, Out = WireData>(url: string | URL, options: RxConnectOptions<In, Out> = {}): SocketSubject<In, Out> {
  validateRxConnect(url, options as RxConnectOptions<unknown, unknown>);
  return new SocketSubject(new SocketCore(url, options));
}
