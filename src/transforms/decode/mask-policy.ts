import { protocolError, type WebSocketError } from '../../errors.js';
import type { Role } from '../records.js';

/**
 * RFC 6455 §5.1: a server MUST close on an unmasked frame, a client on a masked one.
 * Returns the error for a frame whose mask bit breaks the rule for `role`, or null.
 */
export function maskPolicyError(masked: boolean, role: Role): WebSocketError | null {
  if (masked === (role === 'server')) return null;
  return role === 'server'
    ? protocolError('WS_ERR_EXPECTED_MASK', 'Frames from a client must be masked')
    : protocolError('WS_ERR_UNEXPECTED_MASK', 'Frames from a server must not be masked');
}
