/**
 * Comparing and checking decoded Messages with readable failure descriptions (a 200 KB
 * Buffer printed by a deep-equal assertion helps nobody).
 */
import type { Message } from '../../src/transforms/index.js';

/** Valid close codes on the wire (RFC 6455 §7.4.1–§7.4.2), written out independently. */
export function isWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

export function describeMessage(message: Message | undefined): string {
  if (message === undefined) return '(none)';
  switch (message.type) {
    case 'text': {
      const shown = message.data.length > 40 ? `${JSON.stringify(message.data.slice(0, 40))}…` : JSON.stringify(message.data);
      return `text(${message.data.length} units ${shown})`;
    }
    case 'binary':
    case 'ping':
    case 'pong':
      return `${message.type}(${Buffer.isBuffer(message.data) ? `${message.data.length} bytes ${message.data.subarray(0, 16).toString('hex')}` : typeof message.data})`;
    case 'close':
      return `close(${'code' in message ? String(message.code) : 'no code'}, ${JSON.stringify(message.reason)})`;
    default:
      return `unknown(${JSON.stringify(message)})`;
  }
}

/** Why two messages differ, or null when they are the same. */
export function diffMessage(actual: Message, expected: Message): string | null {
  if (actual.type !== expected.type) return `type ${actual.type} ≠ ${expected.type}`;
  switch (expected.type) {
    case 'text': {
      const data = (actual as { data: unknown }).data;
      if (typeof data !== 'string') return `text data is a ${typeof data}`;
      if (data !== expected.data) {
        let at = 0;
        while (at < expected.data.length && data[at] === expected.data[at]) at++;
        return `text differs at UTF-16 index ${at} (lengths ${data.length} / ${expected.data.length})`;
      }
      return null;
    }
    case 'binary':
    case 'ping':
    case 'pong': {
      const data = (actual as { data: unknown }).data;
      if (!Buffer.isBuffer(data)) return `${expected.type} data is not a Buffer`;
      if (!data.equals(expected.data)) {
        let at = 0;
        while (at < expected.data.length && data[at] === expected.data[at]) at++;
        return `${expected.type} bytes differ at ${at} (lengths ${data.length} / ${expected.data.length})`;
      }
      return null;
    }
    case 'close': {
      const close = actual as Extract<Message, { type: 'close' }>;
      if (('code' in expected) !== ('code' in close) || close.code !== expected.code) {
        return `close code ${'code' in close ? String(close.code) : 'absent'} ≠ ${'code' in expected ? String(expected.code) : 'absent'}`;
      }
      if (close.reason !== expected.reason) return `close reason ${JSON.stringify(close.reason)} ≠ ${JSON.stringify(expected.reason)}`;
      return null;
    }
  }
}

/** Why two message lists differ, or null. With `prefix`, `actual` may stop early. */
export function diffMessages(actual: readonly Message[], expected: readonly Message[], prefix = false): string | null {
  if (prefix ? actual.length > expected.length : actual.length !== expected.length) {
    return `${actual.length} messages, expected ${prefix ? 'at most ' : ''}${expected.length}: [${actual.map(describeMessage).join(', ')}] vs [${expected.map(describeMessage).join(', ')}]`;
  }
  for (let i = 0; i < actual.length; i++) {
    const difference = diffMessage(actual[i]!, expected[i]!);
    if (difference !== null) return `message ${i}: ${difference}: ${describeMessage(actual[i])} vs ${describeMessage(expected[i])}`;
  }
  return null;
}

/**
 * Whether a decoded message is well-formed, checked without trusting the decoder: text is
 * a string, binary a Buffer, ping/pong payloads at most 125 bytes (RFC 6455 §5.5), a close
 * carries a valid wire code or none (then no reason), and a reason of at most 123 bytes.
 */
export function checkMessageShape(message: Message): string | null {
  switch (message.type) {
    case 'text':
      return typeof message.data === 'string' ? null : 'text data is not a string';
    case 'binary':
      return Buffer.isBuffer(message.data) ? null : 'binary data is not a Buffer';
    case 'ping':
    case 'pong':
      if (!Buffer.isBuffer(message.data)) return `${message.type} data is not a Buffer`;
      return message.data.length <= 125 ? null : `${message.type} payload of ${message.data.length} bytes`;
    case 'close': {
      if (typeof message.reason !== 'string') return 'close reason is not a string';
      if (Buffer.byteLength(message.reason) > 123) return 'close reason longer than 123 bytes';
      if (message.code === undefined) return message.reason === '' ? null : 'close reason without a code';
      return isWireCloseCode(message.code) ? null : `close code ${message.code} is not valid on the wire`;
    }
    default:
      return `unknown message type ${JSON.stringify((message as { type: unknown }).type)}`;
  }
}
