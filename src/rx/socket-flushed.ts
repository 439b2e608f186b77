import type { Connection } from '../connection/connection.js';
import { ReadyState } from '../connection/ready-state.js';
import { CloseError } from './close-info.js';

/** How often to look at `bufferedAmount`: the socket only says 'drain' after a full buffer. */
const POLL_MS = 5;

/**
 * Resolves once `connection` has handed every byte it was given to the operating system
 * (its `bufferedAmount` is 0), or it closed cleanly (then all was delivered); rejects
 * when it closed uncleanly first.
 */
export function socketFlushed(connection: Connection | null): Promise<void> {
  if (!connection || connection.bufferedAmount === 0) return Promise.resolve();
  if (connection.readyState === ReadyState.CLOSED) {
    return Promise.reject(new Error('The connection closed before everything sent was flushed'));
  }
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const finish = (error: Error | null): void => {
      if (timer) clearTimeout(timer);
      connection.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onClose = (code: number, reason: string, wasClean: boolean): void => {
      finish(wasClean ? null : new CloseError({ code, reason, wasClean }));
    };
    const check = (): void => {
      if (connection.bufferedAmount === 0) finish(null);
      else timer = setTimeout(check, POLL_MS);
    };
    connection.on('close', onClose);
    check();
  });
}
