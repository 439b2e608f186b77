import { MAX_CLOSE_REASON_BYTES } from '../transforms/close-frame.js';
import { domException } from './dom-exception.js';

/** RFC 6455 §4.1: a subprotocol is an HTTP token (RFC 7230 tchar). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The constructor's URL steps (WHATWG): http(s) maps to ws(s); other schemes and fragments are SyntaxErrors. */
export function parseWebSocketUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw domException('SyntaxError', `Invalid URL: ${String(input)}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw domException('SyntaxError', `The URL's scheme must be ws, wss, http or https, not ${url.protocol.slice(0, -1)}`);
  }
  // An empty fragment ("ws://h/#") is still a fragment; `hash` would hide it, `href` keeps it.
  if (url.href.includes('#')) throw domException('SyntaxError', 'The URL must not contain a fragment');
  return url;
}

/** The constructor's protocols steps: each must be a token, and none may repeat. */
export function parseProtocols(protocols: string | readonly string[] | undefined): string[] {
  const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols].map(String);
  const seen = new Set<string>();
  for (const protocol of list) {
    if (!TOKEN.test(protocol)) throw domException('SyntaxError', `Invalid subprotocol: ${JSON.stringify(protocol)}`);
    if (seen.has(protocol)) throw domException('SyntaxError', `Duplicate subprotocol: ${protocol}`);
    seen.add(protocol);
  }
  return list;
}

/**
 * close()'s argument checks: the code is a WebIDL `[Clamp] unsigned short` and must be
 * 1000 or 3000-4999 (InvalidAccessError); the reason fits a close frame (SyntaxError).
 */
export function parseCloseArguments(code: number | undefined, reason: string | undefined): { code: number | undefined; reason: string } {
  let checked: number | undefined;
  if (code !== undefined) {
    checked = clampUnsignedShort(code);
    if (checked !== 1000 && (checked < 3000 || checked > 4999)) {
      throw domException('InvalidAccessError', `The close code must be either 1000, or between 3000 and 4999. ${checked} is neither.`);
    }
  }
  const text = reason === undefined ? '' : String(reason);
  if (Buffer.byteLength(text) > MAX_CLOSE_REASON_BYTES) {
    throw domException('SyntaxError', `The close reason must not be greater than ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes.`);
  }
  // A reason without a code is sent with 1000 (WHATWG close() steps).
  if (checked === undefined && text !== '') checked = 1000;
  return { code: checked, reason: text };
}

/** WebIDL [Clamp]: NaN is 0, then clamp to the range, then round half to even. */
function clampUnsignedShort(value: number): number {
  const number = Number(value);
  if (Number.isNaN(number)) return 0;
  const clamped = Math.min(Math.max(number, 0), 0xffff);
  const floor = Math.floor(clamped);
  const fraction = clamped - floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1)) return floor + 1;
  return floor;
}
