/**
 * What each close code means, in words (RFC 6455 §7.4.1, IANA registry): printed by
 * `wspipe connect` and shown by the demo page when a connection ends.
 */
export const CLOSE_CODE_WORDS: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away (the server is shutting down or the page is leaving)',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status code',
  1006: 'connection dropped without a close frame',
  1007: 'invalid payload data (e.g. text that is not UTF-8)',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'a required extension was not negotiated',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
};

/** `1009 (message too big)`, `4000 (application code)`. */
export function describeCloseCode(code: number): string {
  const words = CLOSE_CODE_WORDS[code] ?? (code >= 3000 && code <= 4999 ? 'application code' : 'unknown code');
  return `${code} (${words})`;
}
