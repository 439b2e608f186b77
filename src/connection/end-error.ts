import { CloseError, isNormalClose } from '../errors.js';
import type { CloseDetails } from './close-handshake.js';

/**
 * How reading a connection's messages ends (async iteration, a message Duplex): normally
 * after a clean 1000, 1001 or 1005, else with a CloseError for the close that ended it.
 */
export function endError(details: CloseDetails): CloseError | null {
  return isNormalClose(details) ? null : new CloseError(details, { cause: details.error ?? undefined });
}
