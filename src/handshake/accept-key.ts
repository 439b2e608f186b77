import { createHash, randomBytes } from 'node:crypto';
import { KEY_BYTES, WEBSOCKET_GUID } from './constants.js';

/**
 * RFC 6455 §4.2.2 (5): Sec-WebSocket-Accept is base64(SHA-1(key + GUID)), hashing the
 * key exactly as received (the base64 text, not its decoded bytes).
 */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID, 'latin1').digest('base64');
}

/** RFC 6455 §4.1 (7): a fresh, random 16-byte nonce, base64-encoded, per handshake. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

// 16 bytes are 22 base64 characters of data plus "==" padding.
const KEY_SHAPE = /^[A-Za-z0-9+/]{22}==$/;

/**
 * RFC 6455 §4.2.1 (4): the key must be base64 that decodes to exactly 16 bytes.
 * Strict: 24 characters, "==" padding, and canonical encoding (the unused low bits of
 * the last data character are zero), so every key has exactly one spelling.
 */
export function isValidKey(key: string): boolean {
  if (!KEY_SHAPE.test(key)) return false;
  const bytes = Buffer.from(key, 'base64');
  return bytes.length === KEY_BYTES && bytes.toString('base64') === key;
}
