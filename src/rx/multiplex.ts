import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';
import type { ChannelRegistry } from './channels.js';
import { wireKey, type WireData } from './wire.js';

/** What multiplex needs from the subject it runs over. */
export interface MultiplexHost<In, Out> {
  readonly channels: ChannelRegistry;
  serialize(value: Out): WireData;
  attach(subscriber: Subscriber<In>): TeardownLogic;
  /** Builds and sends a message only if a connection is open (control messages are never buffered). */
  sendIfOpen(message: () => WireData): void;
}

/**
 * One channel over a shared socket (see SocketSubject.multiplex): reference-counted by
 * its subscribe message, subscribed on every open by the host, and unsubscribed only
 * while connected.
 */
export function multiplex<In, Out>(
  host: MultiplexHost<In, Out>,
  subscribeMessage: () => Out,
  unsubscribeMessage: () => Out,
  filter: (value: In) => boolean,
): Observable<In> {
  return new Observable<In>((subscriber) => {
    let subscribe: WireData;
    try {
      subscribe = host.serialize(subscribeMessage());
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    const key = wireKey(subscribe);
    const inner = new Observable<In>((s) => host.attach(s)).subscribe({
      next: (value) => {
        let pass: boolean;
        try {
          pass = filter(value);
        } catch (error) {
          subscriber.error(error); // a bad filter ends its own subscriber only
          return;
        }
        if (pass) subscriber.next(value);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    // Subscribed while open: say so now; otherwise the next open subscribes all channels.
    if (host.channels.acquire(key, subscribe, () => host.serialize(unsubscribeMessage()))) host.sendIfOpen(() => subscribe);
    return () => {
      // Leave the subject first: if that was its last subscriber it is now closing, and
      // an unsubscribe message would only delay the close.
      inner.unsubscribe();
      const unsubscribe = host.channels.release(key);
      // A channel that ends while disconnected sends nothing: the server forgot it anyway.
      if (unsubscribe) host.sendIfOpen(unsubscribe);
    };
  });
}
