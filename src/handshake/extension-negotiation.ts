import type { AgreedExtension, Extension, ExtensionParams } from '../extensions/extension.js';
import type { Role } from '../transforms/records.js';
import { formatExtensions, paramEntries, type ExtensionOffer, type ExtensionParam } from './extensions.js';
import { HandshakeError } from './handshake-error.js';
import { isToken } from './http-syntax.js';
import { optionRangeError, optionTypeError } from '../validation/schema.js';

/**
 * Checks a list of extensions when a server or client is created with it: names are
 * tokens (RFC 6455 §9.1) and unique, reserved bits a mask of RSV1–RSV3, and each
 * extension's own `check(role)` passes. Two extensions may claim the same bit (a server
 * may support alternatives); negotiation never agrees to both.
 */
export function checkExtensions(extensions: readonly Extension[], role: Role): void {
  const names = new Set<string>();
  extensions.forEach((extension, index) => {
    const path = `extensions[${index}]`;
    if (typeof extension !== 'object' || extension === null) throw optionTypeError(`The "${path}" option must be an extension object`);
    if (typeof extension.name !== 'string' || !isToken(extension.name)) {
      throw optionTypeError(`The "${path}.name" option must be an extension token. Received ${String(extension.name)}`);
    }
    if (names.has(extension.name)) throw optionTypeError(`The extension "${extension.name}" is given twice`);
    names.add(extension.name);
    if (!Number.isInteger(extension.rsv) || extension.rsv < 0 || extension.rsv > 7) {
      throw optionRangeError(`The "${path}.rsv" option must be a mask of RSV1 (4), RSV2 (2) and RSV3 (1). Received ${String(extension.rsv)}`);
    }
    for (const method of ['offers', 'accept', 'respond'] as const) {
      if (typeof extension[method] !== 'function') throw optionTypeError(`The "${path}.${method}" option must be a function`);
    }
    extension.check?.(role);
  });
}

/** Client: the Sec-WebSocket-Extensions elements to offer, each extension's offers in order. */
export function offerExtensions(extensions: readonly Extension[]): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  for (const extension of extensions) {
    for (const params of extension.offers()) offers.push(parseParams(extension.name, params));
  }
  return offers;
}

/**
 * Server, RFC 6455 §9.1: which of the client's offered extensions to use, in the order
 * the client first offered them. An extension is accepted when `respond()` accepts one of
 * its offers and none accepted before it uses the same reserved bits. Returns the agreed
 * extensions and the response header (undefined when none was agreed).
 */
export function negotiateExtensions(
  offers: readonly ExtensionOffer[],
  extensions: readonly Extension[],
): { header: string | undefined; agreed: AgreedExtension[] } {
  const agreed: AgreedExtension[] = [];
  if (extensions.length === 0 || offers.length === 0) return { header: undefined, agreed };
  let used = 0;
  const seen = new Set<string>();
  for (const offer of offers) {
    if (seen.has(offer.name)) continue;
    seen.add(offer.name);
    const extension = extensions.find((candidate) => candidate.name === offer.name);
    if (extension === undefined || (extension.rsv & used) !== 0) continue;
    const response = extension.respond(offers.filter((candidate) => candidate.name === offer.name));
    if (response === null) continue;
    used |= extension.rsv;
    agreed.push({ extension, element: parseParams(extension.name, response.params), stages: response.stages });
  }
  return { header: agreed.length === 0 ? undefined : formatExtensions(agreed.map((entry) => entry.element)), agreed };
}

/**
 * Client, RFC 6455 §4.1 (5) and §9.1: checks the server's response against what was
 * offered — only offered extensions, each once, no two sharing a reserved bit — and lets
 * each extension accept its element. Anything wrong fails the connection.
 *
 * @throws HandshakeError (statusCode 101: the server did switch protocols).
 */
export function acceptExtensions(
  response: readonly ExtensionOffer[],
  offered: readonly ExtensionOffer[],
  extensions: readonly Extension[],
): AgreedExtension[] {
  const agreed: AgreedExtension[] = [];
  let used = 0;
  for (const element of response) {
    const extension = extensions.find((candidate) => candidate.name === element.name);
    const offers = offered.filter((offer) => offer.name === element.name);
    if (extension === undefined || offers.length === 0) {
      throw new HandshakeError(101, 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED', `The server accepted extension "${element.name}", which was not offered`);
    }
    if (agreed.some((entry) => entry.extension === extension)) {
      throw new HandshakeError(101, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', `The server accepted extension "${element.name}" twice`);
    }
    if ((extension.rsv & used) !== 0) {
      const other = agreed.find((entry) => (entry.extension.rsv & extension.rsv) !== 0)!.extension.name;
      throw new HandshakeError(101, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', `The server accepted "${other}" and "${element.name}", which use the same reserved bits`);
    }
    used |= extension.rsv;
    let stages;
    try {
      stages = extension.accept(element, offers);
    } catch (error) {
      if (error instanceof HandshakeError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new HandshakeError(101, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', `Invalid ${element.name} response: ${detail}`, { cause: error });
    }
    agreed.push({ extension, element, stages });
  }
  return agreed;
}

/**
 * One element as a parsed offer, the way the client will read it back: values as
 * strings. Formatting it checks names and values are tokens (a TypeError otherwise).
 */
function parseParams(name: string, params: ExtensionParams): ExtensionOffer {
  const element = { name, params: [...paramEntries(params)].map(([key, value]): ExtensionParam => [key, value === true ? true : String(value)]) };
  formatExtensions([element]);
  return element;
}
