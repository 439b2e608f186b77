import { HandshakeError } from './handshake-error.js';
import { isToken } from './http-syntax.js';

/** A parameter value: a string, or `true` for a parameter given without "=value". */
export type ExtensionParamValue = string | true;

/** One extension parameter, `[name, value]`. */
export type ExtensionParam = readonly [name: string, value: ExtensionParamValue];

/**
 * One element of a Sec-WebSocket-Extensions list: an extension name and its
 * parameters in the order they were written. Parameters are a list, not a map,
 * because repeated names are legal in the §9.1 grammar and an extension such as
 * permessage-deflate (RFC 7692 §7) must see them to decline the offer.
 * `new Map(offer.params)` gives a map when repeats do not matter.
 */
export interface ExtensionOffer {
  readonly name: string;
  readonly params: readonly ExtensionParam[];
}

/** What {@link formatExtensions} accepts: parameters as pairs (a Map works) or a record. */
export interface ExtensionOfferInput {
  readonly name: string;
  readonly params?:
    | Iterable<readonly [string, string | number | true]>
    | Readonly<Record<string, string | number | true>>;
}

function fail(message: string): never {
  // RFC 6455 §9.1: malformed extension data MUST fail the connection; a server
  // answers 400 (a client maps this to its own failure).
  throw new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', `Invalid Sec-WebSocket-Extensions header: ${message}`);
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses a Sec-WebSocket-Extensions value by the RFC 6455 §9.1 grammar:
 *
 *     extension-list = 1#extension
 *     extension      = extension-token *( ";" extension-param )
 *     extension-param = token [ "=" (token | quoted-string) ]
 *
 * with RFC 2616's implied linear whitespace (SP / HTAB) between any two tokens or
 * separators, and empty list elements ("a, , b") allowed. Several header lines
 * joined with ", " parse as one list (§9.1: "MAY be split or combined across
 * multiple lines"). Quoted values are unescaped and must then be tokens (§9.1).
 * Names are kept as written (compared case-sensitively, like registered names).
 *
 * @throws HandshakeError (400, WS_ERR_HANDSHAKE_BAD_EXTENSIONS) on malformed input,
 *   including a list with no extension at all.
 */
export function parseExtensions(header: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  const n = header.length;
  let i = 0;

  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (what: string): string => {
    const start = i;
    while (i < n && TCHAR.test(header[i]!)) i++;
    if (i === start) {
      fail(i < n ? `expected ${what} at position ${i}, found ${JSON.stringify(header[i])}` : `expected ${what} at end of input`);
    }
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    // RFC 2616 §2.2: quoted-string = <"> *(qdtext | quoted-pair) <">; quoted-pair = "\" CHAR
    const start = i;
    i++; // opening quote
    let value = '';
    for (;;) {
      if (i >= n) fail(`unterminated quoted string starting at position ${start}`);
      const c = header[i]!;
      if (c === '"') {
        i++;
        break;
      }
      if (c === '\\') {
        if (i + 1 >= n) fail(`unterminated quoted string starting at position ${start}`);
        value += header[i + 1];
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    if (!isToken(value)) {
      fail(`quoted value at position ${start} is not a token after unescaping (RFC 6455 §9.1)`);
    }
    return value;
  };

  for (;;) {
    skipSpace();
    if (i >= n) break;
    if (header[i] === ',') {
      i++; // empty list element
      continue;
    }
    const name = readToken('an extension name');
    const params: ExtensionParam[] = [];
    skipSpace();
    while (i < n && header[i] === ';') {
      i++;
      skipSpace();
      const paramName = readToken('a parameter name');
      skipSpace();
      let value: ExtensionParamValue = true;
      if (i < n && header[i] === '=') {
        i++;
        skipSpace();
        value = i < n && header[i] === '"' ? readQuoted() : readToken('a parameter value');
        skipSpace();
      }
      params.push([paramName, value]);
    }
    offers.push({ name, params });
    if (i >= n) break;
    if (header[i] !== ',') fail(`unexpected ${JSON.stringify(header[i])} at position ${i}`);
    i++;
  }

  if (offers.length === 0) fail('no extension in the list');
  return offers;
}

/** The parameters of an offer as [name, value] pairs, in order. */
export function paramEntries(params: ExtensionOfferInput['params']): Iterable<readonly [string, string | number | true]> {
  if (params === undefined) return [];
  if (Symbol.iterator in params) return params as Iterable<readonly [string, string | number | true]>;
  return Object.entries(params);
}

/**
 * Serialises extension elements as a Sec-WebSocket-Extensions value, e.g.
 * `permessage-deflate; client_max_window_bits, x-foo; a=1`. Values are written as
 * bare tokens: §9.1 requires every value, quoted or not, to be a token, so quoting
 * is never needed.
 *
 * @throws TypeError when a name or value is not a token (or a number is not a
 *   non-negative integer).
 */
export function formatExtensions(offers: Iterable<ExtensionOfferInput>): string {
  const parts: string[] = [];
  for (const offer of offers) {
    if (!isToken(offer.name)) throw new TypeError(`Invalid extension name ${JSON.stringify(offer.name)}`);
    let part = offer.name;
    for (const [name, value] of paramEntries(offer.params)) {
      if (!isToken(name)) throw new TypeError(`Invalid extension parameter name ${JSON.stringify(name)}`);
      if (value === true) {
        part += `; ${name}`;
        continue;
      }
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
        throw new TypeError(`Invalid value for extension parameter "${name}": ${value}`);
      }
      if (!isToken(text)) {
        throw new TypeError(`Invalid value for extension parameter "${name}": ${JSON.stringify(text)} is not a token`);
      }
      part += `; ${name}=${text}`;
    }
    parts.push(part);
  }
  return parts.join(', ');
}
