import { Observable } from 'rxjs';
import type { Connection } from '../connection/connection.js';
import type { WebSocketServer } from '../server/server.js';

/**
 * The connections a wspipe server accepts from now on, as they open. Completes when
 * the server closes, errors on a server error (e.g. it could not listen).
 * Subscribe to `messages$(connection)` synchronously in `next` (mergeMap does) to
 * miss nothing.
 */
export function connections$(server: WebSocketServer): Observable<Connection> {
  return new Observable<Connection>((subscriber) => {
    const onConnection = (connection: Connection): void => subscriber.next(connection);
    const onClose = (): void => subscriber.complete();
    const onError = (error: Error): void => subscriber.error(error);
    server.on('connection', onConnection);
    server.on('close', onClose);
    server.on('error', onError);
    return () => {
      server.off('connection', onConnection);
      server.off('close', onClose);
      server.off('error', onError);
    };
  });
}
