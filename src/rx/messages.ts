import { Observable } from 'rxjs';
import type { Connection } from '../connection/connection.js';
import type { DataMessage } from '../transforms/records.js';
import { CloseError, isNormalClose } from './close-info.js';

/**
 * The data messages of an open connection (either role). Completes when it closes
 * normally (a clean 1000, 1001 or 1005), errors with a {@link CloseError} otherwise.
 * Unsubscribing stops delivery; the connection stays open. Subscribers see messages
 * from the moment they subscribe (a connection has no replay). Connections made with
 * `streamMessages` deliver streams, not messages, and are not supported here.
 */
export function messages$(connection: Connection): Observable<DataMessage> {
  return new Observable<DataMessage>((subscriber) => {
    // Already closed: end as it ended.
    const ended = connection.closeInfo;
    if (ended) {
      if (isNormalClose(ended)) subscriber.complete();
      else subscriber.error(new CloseError(ended));
      return undefined;
    }
    const onMessage = (message: DataMessage): void => subscriber.next(message);
    const onClose = (code: number, reason: string, wasClean: boolean): void => {
      const info = { code, reason, wasClean };
      if (isNormalClose(info)) subscriber.complete();
      else subscriber.error(new CloseError(info));
    };
    connection.on('message', onMessage);
    connection.on('close', onClose);
    return () => {
      connection.off('message', onMessage);
      connection.off('close', onClose);
    };
  });
}
