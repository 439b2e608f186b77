import { acceptKey } from './accept-key.js';
import { parseExtensions, type ExtensionOffer } from './extensions.js';
import { HandshakeError, type HandshakeErrorCode } from './handshake-error.js';
import { listHasToken, listHeader, type HttpHeaders } from './http-syntax.js';
import { validateDeflateResponse } from './permessage-deflate/client.js';
import { PERMESSAGE_DEFLATE, type NegotiatedDeflate, type PerMessageDeflateOptions } from './permessage-deflate/options.js';

/** The parts of the server's response that are checked (node:http's `res` fits). */
export interface UpgradeResponseLike {
  readonly statusCode?: number | undefined;
  readonly headers: HttpHeaders;
}

/** What the client sent; an {@link UpgradeRequest} from `buildUpgradeRequest` fits. */
export interface SentUpgradeRequest {
  readonly key: string;
  readonly protocols?: readonly string[] | undefined;
  /** The Sec-WebSocket-Extensions value sent, if any. */
  readonly extensions?: string | undefined;
  /** Options of the permessage-deflate offer (for the pass-through fields). */
  readonly perMessageDeflate?: PerMessageDeflateOptions | undefined;
}

/** The outcome of a valid handshake response. */
export interface UpgradeResponseInfo {
  /** The subprotocol the server selected, or '' for none. */
  readonly protocol: string;
  /** The extensions in use, in the server's order (RFC 6455 §9.1: order of operations). */
  readonly extensions: readonly ExtensionOffer[];
  /** The agreed permessage-deflate parameters, or null when not in use. */
  readonly deflate: NegotiatedDeflate | null;
}

/**
 * Client side, RFC 6455 §4.1 (the numbered checks after "the client MUST validate
 * the server's response"): status 101; Upgrade equal to "websocket" and a Connection
 * list with "Upgrade" (case-insensitive); the right Sec-WebSocket-Accept; only
 * offered extensions, each at most once, with valid permessage-deflate parameters;
 * a subprotocol only if one was offered, and one of those offered.
 *
 * A response with no subprotocol is accepted even when some were offered (RFC 6455
 * and browsers allow it); `protocol` is then ''.
 *
 * @throws HandshakeError whose `statusCode` is the server's status.
 */
export function validateUpgradeResponse(response: UpgradeResponseLike, request: SentUpgradeRequest): UpgradeResponseInfo {
  const status = response.statusCode ?? 0;
  const fail = (code: HandshakeErrorCode, message: string, cause?: unknown): never => {
    throw new HandshakeError(status, code, message, cause === undefined ? {} : { cause });
  };
  const { headers } = response;

  if (status !== 101) fail('WS_ERR_HANDSHAKE_BAD_STATUS', `Unexpected server response: ${status}`);

  // RFC 6455 §4.1 (2): Upgrade must be "websocket" (not merely contain it).
  const upgrade = headers['upgrade'];
  if (typeof upgrade !== 'string' || upgrade.trim().toLowerCase() !== 'websocket') {
    fail('WS_ERR_HANDSHAKE_BAD_UPGRADE', 'Invalid Upgrade header in the response: expected "websocket"');
  }
  // RFC 6455 §4.1 (3): Connection must contain the token "Upgrade".
  if (!listHasToken(listHeader(headers, 'connection'), 'upgrade')) {
    fail('WS_ERR_HANDSHAKE_BAD_CONNECTION', 'Invalid Connection header in the response: expected "Upgrade"');
  }
  // RFC 6455 §4.1 (4): Sec-WebSocket-Accept must be derived from our key.
  const accept = headers['sec-websocket-accept'];
  if (typeof accept !== 'string' || accept.trim() !== acceptKey(request.key)) {
    fail('WS_ERR_HANDSHAKE_BAD_ACCEPT', 'Missing or incorrect Sec-WebSocket-Accept header');
  }

  // RFC 6455 §4.1 (5) and RFC 7692 §5, §7.
  const extensions: ExtensionOffer[] = [];
  let deflate: NegotiatedDeflate | null = null;
  const extensionHeader = listHeader(headers, 'sec-websocket-extensions');
  if (extensionHeader !== undefined && extensionHeader.trim() !== '') {
    let accepted: ExtensionOffer[] = [];
    try {
      accepted = parseExtensions(extensionHeader);
    } catch (error) {
      fail('WS_ERR_HANDSHAKE_BAD_EXTENSIONS', (error as Error).message, error);
    }
    let offered: ExtensionOffer[] = [];
    if (request.extensions !== undefined && request.extensions.trim() !== '') offered = parseExtensions(request.extensions);
    const offeredNames = new Set(offered.map((offer) => offer.name));
    const seen = new Set<string>();
    for (const element of accepted) {
      if (!offeredNames.has(element.name)) {
        fail('WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED', `The server accepted extension "${element.name}", which was not offered`);
      }
      if (seen.has(element.name)) fail('WS_ERR_HANDSHAKE_BAD_EXTENSIONS', `The server accepted extension "${element.name}" twice`);
      seen.add(element.name);
      if (element.name === PERMESSAGE_DEFLATE) {
        deflate = validateDeflateResponse(element, offered, request.perMessageDeflate ?? {});
      }
      extensions.push(element);
    }
  }

  // RFC 6455 §4.1 (6): a subprotocol only from those offered.
  let protocol = '';
  const protocolHeader = headers['sec-websocket-protocol'];
  if (protocolHeader !== undefined) {
    const offered = request.protocols ?? [];
    if (offered.length === 0) fail('WS_ERR_HANDSHAKE_BAD_PROTOCOL', 'The server sent a subprotocol but none was offered');
    if (typeof protocolHeader !== 'string' || !offered.includes(protocolHeader.trim())) {
      fail('WS_ERR_HANDSHAKE_BAD_PROTOCOL', 'The server selected a subprotocol that was not offered');
    }
    protocol = (protocolHeader as string).trim();
  }

  return { protocol, extensions, deflate };
}
