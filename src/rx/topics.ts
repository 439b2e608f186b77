import { map, Observable, type OperatorFunction } from 'rxjs';
import { SEND_OPTIONS_SCHEMA, type SendOptions } from '../connection/connection.js';
import type { WebSocketServer } from '../server/server.js';
import { checkTopic } from '../topics/publication.js';
import type { BinaryData, DataMessage } from '../transforms/records.js';
import { validateOptions } from '../validation/schema.js';

/**
 * The messages published to `topic` on a server — by `server.publish()`, by a connection's
 * `publish()`, or (with a broker) by another process — from the moment of subscribing.
 * The server counts it as a subscriber of the topic while subscribed (a broker reads the
 * topic for it). Completes when the server closes.
 */
export function topic$(server: WebSocketServer, topic: string): Observable<DataMessage> {
  checkTopic(topic);
  return new Observable<DataMessage>((subscriber) => {
    const stop = server.subscribe(topic, (message) => subscriber.next(message));
    const onClose = (): void => subscriber.complete();
    server.on('close', onClose);
    return () => {
      stop();
      server.off('close', onClose);
    };
  });
}

/**
 * Publishes each value of the source to `topic` (`server.publish()`: text for a string,
 * binary for bytes, `options` as `send()`'s) and emits how many connections here it was
 * written to. A publication that fails (a full broker backlog, bytes that are not UTF-8
 * sent as text) errors the stream.
 */
export function publishTo(server: WebSocketServer, topic: string, options?: SendOptions): OperatorFunction<string | BinaryData, number> {
  checkTopic(topic);
  if (options !== undefined) validateOptions(options, SEND_OPTIONS_SCHEMA);
  return (source) => source.pipe(map((data) => server.publish(topic, data, options)));
}
