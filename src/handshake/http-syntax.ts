/**
 * Small pieces of HTTP/1.1 syntax shared by the handshake code (RFC 7230 §3.2,
 * the same rules RFC 6455 takes from RFC 2616 §2.2).
 */

/** A header record as Node gives it: lower-case names, repeated headers as arrays. */
export type HttpHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A header record to send: any name case, an array sends the header once per value. */
export type OutgoingHttpHeaders = Readonly<Record<string, string | readonly string[]>>;

// RFC 7230 §3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA — i.e. visible ASCII minus separators.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 7230 §3.2.6 / RFC 2616 §2.2: a non-empty token. */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

// RFC 7230 §3.2: field-value = *( VCHAR / obs-text / SP / HTAB ). Anything else —
// above all CR and LF — would let a value end the header line (header injection).
const INVALID_FIELD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** Whether `value` may be sent as a header field value without breaking the message. */
export function isValidHeaderValue(value: string): boolean {
  return !INVALID_FIELD_VALUE_CHAR.test(value);
}

/** Throws a TypeError unless `name: value` is a header line that is safe to send. */
export function assertHeader(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`Invalid header name ${JSON.stringify(name)}`);
  if (!isValidHeaderValue(value)) {
    throw new TypeError(`Invalid character in the value of header "${name}" (CR, LF or other control)`);
  }
}

/** Serialises headers as `Name: value\r\n` lines, checking each line first. */
export function formatHeaderLines(headers: OutgoingHttpHeaders): string {
  let out = '';
  for (const [name, value] of Object.entries(headers)) {
    const values: readonly string[] = typeof value === 'string' ? [value] : value;
    for (const v of values) {
      assertHeader(name, v);
      out += `${name}: ${v}\r\n`;
    }
  }
  return out;
}

/**
 * A header whose value is a comma-separated list, as one string: Node joins most
 * repeated headers with ", " itself, and RFC 7230 §3.2.2 makes that join equivalent
 * to separate lines, so an array is joined the same way.
 */
export function listHeader(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The elements of a comma-separated header list, trimmed of optional whitespace.
 * RFC 7230 §7 (and the RFC 2616 "#rule" that RFC 6455 uses): empty elements such as
 * in "a, , b" are allowed and do not count, so they are dropped here.
 */
export function splitList(value: string): string[] {
  const items: string[] = [];
  for (const part of value.split(',')) {
    const item = part.replace(/^[ \t]+|[ \t]+$/g, '');
    if (item !== '') items.push(item);
  }
  return items;
}

/** Whether a comma-separated header list holds `token`, compared case-insensitively. */
export function listHasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const wanted = token.toLowerCase();
  return splitList(value).some((item) => item.toLowerCase() === wanted);
}
