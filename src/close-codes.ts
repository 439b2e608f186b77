/**
 * Close status codes (RFC 6455 §7.4, IANA "WebSocket Close Code Number" registry).
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** API only: the close frame carried no status code. Never sent. */
  NO_STATUS: 1005,
  /** API only: the connection dropped without a close handshake. Never sent. */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
} as const;

/**
 * Whether `code` may appear in a close frame on the wire (RFC 6455 §7.4.1–§7.4.2):
 * 1000–1003 and 1007–1014 are defined (1012–1014 registered with IANA later),
 * 3000–4999 belong to libraries and applications. 1004–1006 and 1015 are reserved,
 * 1016–2999 unassigned.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}
