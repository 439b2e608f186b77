import { WebSocketError } from '../errors.js';
import { buildClosePayload } from '../transforms/close-frame.js';
import type { Connection } from './connection.js';

/** A close status to send: `code` undefined for a close frame without one (the peer reports 1005). */
export interface CloseStatus {
  code: number | undefined;
  reason: string;
}

const NO_STATUS: CloseStatus = { code: undefined, reason: '' };

/**
 * WHATWG WebSocketStream "close using reason": what cancelling a readable or aborting a
 * writable with `reason` closes the connection with. A WebSocketError — wspipe's, or the
 * web's (a DOMException named 'WebSocketError', as undici's) — gives its `closeCode` and
 * `reason` when a close frame may carry them (RFC 6455 §7.4); anything else, or a status
 * that may not be sent, closes with no status code. `otherwise` is the status for any
 * other Error (a Duplex destroyed by a failing stage sends 1011).
 */
export function closeStatusOf(reason: unknown, otherwise: CloseStatus = NO_STATUS): CloseStatus {
  const status = webSocketErrorStatus(reason);
  if (status === null) return reason instanceof Error ? otherwise : NO_STATUS;
  if (status.code === undefined) return NO_STATUS;
  try {
    buildClosePayload(status.code, status.reason);
  } catch {
    return NO_STATUS;
  }
  return status;
}

/** Starts the close handshake with what `reason` gives (see {@link closeStatusOf}). */
export function closeUsingReason(connection: Connection, reason: unknown, otherwise?: CloseStatus): void {
  const status = closeStatusOf(reason, otherwise);
  connection.close(status.code, status.reason);
}

function webSocketErrorStatus(value: unknown): CloseStatus | null {
  if (typeof value !== 'object' || value === null) return null;
  const error = value as { name?: unknown; closeCode?: unknown; reason?: unknown };
  if (!(value instanceof WebSocketError) && error.name !== 'WebSocketError') return null;
  return {
    code: typeof error.closeCode === 'number' ? error.closeCode : undefined,
    reason: typeof error.reason === 'string' ? error.reason : '',
  };
}
