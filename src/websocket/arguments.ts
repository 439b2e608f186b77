import { MAX_CLOSE_REASON_BYTES } from '../transforms/close-frame.js';
import { domException } from './dom-exception.js';
import { toClampedUnsignedShort, toDOMString, toUSVString } from '../validation/webidl.js';

/** RFC 6455 §4.1: a subprotocol is an HTTP token (RFC 7230 tchar). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The constructor's URL steps (WHATWG): http(s) maps to ws(s); other schemes and fragments are SyntaxErrors. */
export function parseWebSocketUrl(input: unknown): URL {
  const text = toUSVString(input);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw domException('SyntaxError', `Invalid URL: ${text}`);
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

/**
 * The constructor's protocols steps. WebIDL `(DOMString or sequence<DOMString>)`: an
 * iterable object is a sequence, anything else one string (`null` is "null"); then each
 * must be a token, and none may repeat (SyntaxError).
 */
export function parseProtocols(protocols: unknown): string[] {
  let list: string[];
  if (protocols === undefined) list = [];
  else if ((typeof protocols === 'object' && protocols !== null) || typeof protocols === 'function') {
    const iterable = protocols as Partial<Iterable<unknown>>;
    list = typeof iterable[Symbol.iterator] === 'function' ? Array.from(iterable as Iterable<unknown>, toDOMString) : [toDOMString(protocols)];
  } else list = [toDOMString(protocols)];
  const seen = new Set<string>();
  for (const protocol of list) {
    if (!TOKEN.test(protocol)) throw domException('SyntaxError', `Invalid subprotocol: ${JSON.stringify(protocol)}`);
    if (seen.has(protocol)) throw domException('SyntaxError', `Duplicate subprotocol: ${protocol}`);
    seen.add(protocol);
  }
  return list;
}

/**
 * close()'s argument steps: the code is a WebIDL `[Clamp] unsigned short`, the reason a
 * USVString; then both are checked ({@link checkCloseStatus}), whatever the state.
 */
export function parseCloseArguments(code: unknown, reason: unknown): { code: number | undefined; reason: string } {
  // WebIDL converts every argument before the method's steps run.
  return checkCloseStatus(code === undefined ? undefined : toClampedUnsignedShort(code), reason === undefined ? '' : toUSVString(reason));
}

/**
 * WHATWG "validate close code and reason": the code must be 1000 or 3000-4999
 * (InvalidAccessError), the reason must fit a close frame (SyntaxError); a reason without
 * a code is sent with 1000.
 */
export function checkCloseStatus(code: number | undefined, reason: string): { code: number | undefined; reason: string } {
  if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
    throw domException('InvalidAccessError', `The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`);
  }
  if (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) {
    throw domException('SyntaxError', `The close reason must not be greater than ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes.`);
  }
  return { code: code === undefined && reason !== '' ? 1000 : code, reason };
}
