import type { Connection } from '../connection/connection.js';
import { ReadyState } from '../connection/ready-state.js';
import { CloseError } from './close-info.js';

/**
 * Resolves once `connection` has handed every byte it was given to the operating system,
 * or it closed cleanly (then all was delivered); rejects when it closed uncleanly first.
 */
export function socketFlushed(connection: Connection | null): Promise<void> {
  if (!connection || connection.bufferedAmount === 0) return Promise.resolve();
  if (connection.readyState === ReadyState.CLOSED) {
    return Promise.reject(new Error('The connection closed before everything sent was flushed'));
  }
  return new Promise<void>((resolve, reject) => {
    const onClose = (code: number, reason: string, wasClean: boolean): void => {
      if (wasClean) resolve();
      else reject(new CloseError({ code, reason, wasClean }));
    };
    connection.once('close', onClose);
    connection.flushed().then(() => {
      // Flushed because the socket went away: the close event decides.
      if (connection.readyState === ReadyState.CLOSED) return;
      connection.off('close', onClose);
      resolve();
    });
  });
}
