import { acceptKey } from './accept-key.js';
import { parseExtensions, type ExtensionOffer } from './extensions.js';
import { HandshakeError, type HandshakeErrorCode } from './handshake-error.js';
import { listHasToken, listHeader, type HttpHeaders } from './http-syntax.js';
import type { AgreedExtension, Extension } from '../extensions/extension.js';
import { acceptExtensions } from './extension-negotiation.js';

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
  /** The extensions offered: each accepts (or fails) its element of the response. */
  readonly offeredExtensions?: readonly Extension[] | undefined;
}

/** The outcome of a valid handshake response. */
export interface UpgradeResponseInfo {
  /** The subprotocol the server selected, or '' for none. */
  readonly protocol: string;
  /** The extensions in use, in the server's order (RFC 6455 §9.1: order of operations). */
  readonly extensions: readonly ExtensionOffer[];
  /** The extensions agreed, in that order, with the stages each adds. */
  readonly agreed: readonly AgreedExtension[];
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

  return acceptNegotiation(response, request);
}

/**
 * The part of the response check shared by HTTP/1.1 and HTTP/2 (RFC 8441 §5 keeps it):
 * RFC 6455 §4.1 (5) and (6), the extensions and the subprotocol the server selected.
 *
 * @throws HandshakeError whose `statusCode` is the server's status.
 */
export function acceptNegotiation(response: UpgradeResponseLike, request: Omit<SentUpgradeRequest, 'key'>): UpgradeResponseInfo {
  const status = response.statusCode ?? 0;
  const fail = (code: HandshakeErrorCode, message: string, cause?: unknown): never => {
    throw new HandshakeError(status, code, message, cause === undefined ? {} : { cause });
  };
  const { headers } = response;
  // RFC 6455 §4.1 (5), §9.1: only offered extensions, each once; each accepts its element.
  let extensions: ExtensionOffer[] = [];
  const extensionHeader = listHeader(headers, 'sec-websocket-extensions');
  if (extensionHeader !== undefined && extensionHeader.trim() !== '') {
    try {
      extensions = parseExtensions(extensionHeader);
    } catch (error) {
      fail('WS_ERR_HANDSHAKE_BAD_EXTENSIONS', (error as Error).message, error);
    }
  }
  const offered = request.extensions !== undefined && request.extensions.trim() !== '' ? parseExtensions(request.extensions) : [];
  const agreed = acceptExtensions(extensions, offered, request.offeredExtensions ?? []);

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

  return { protocol, extensions, agreed };
}
