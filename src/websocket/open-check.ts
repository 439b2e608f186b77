import type { Connection } from '../connection/connection.js';

/**
 * WHATWG "establish a WebSocket connection" (stricter than RFC 6455): when subprotocols
 * were offered and the server selected none, the connection is failed. Returns why, or null.
 */
export function noProtocolSelected(connection: Connection, protocolsOffered: boolean): Error | null {
  return protocolsOffered && connection.protocol === '' ? new Error('The server selected none of the subprotocols offered') : null;
}
