/**
 * The WebSocket opening handshake (RFC 6455 §4, RFC 7692 §5 and §7), both roles.
 * Pure functions where possible: headers in, decision out.
 */
export {
  WEBSOCKET_GUID,
  WEBSOCKET_VERSION,
  KEY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  REJECT_LINGER_MS,
} from './constants.js';
export { HandshakeError, type HandshakeErrorCode, type HandshakeErrorHeaders } from './handshake-error.js';
export { acceptKey, generateKey, isValidKey } from './accept-key.js';
export {
  isToken,
  isValidHeaderValue,
  splitList,
  listHasToken,
  type HttpHeaders,
  type OutgoingHttpHeaders,
} from './http-syntax.js';
export {
  parseExtensions,
  formatExtensions,
  type ExtensionOffer,
  type ExtensionOfferInput,
  type ExtensionParam,
  type ExtensionParamValue,
} from './extensions.js';
export { parseProtocols, selectProtocol, type ProtocolChooser } from './subprotocol.js';
export { acceptExtensions, checkExtensions, negotiateExtensions, offerExtensions } from './extension-negotiation.js';
export * from './permessage-deflate/index.js';
export { validateUpgradeRequest, type UpgradeRequestLike, type UpgradeRequestInfo } from './upgrade-request.js';
export { buildAcceptResponse, HANDSHAKE_RESPONSE_HEADERS, type AcceptResponseOptions } from './accept-response.js';
export { buildErrorResponse } from './error-response.js';
export {
  buildUpgradeRequest,
  HANDSHAKE_REQUEST_HEADERS,
  type UpgradeRequestOptions,
  type UpgradeRequest,
} from './upgrade-client-request.js';
export {
  validateUpgradeResponse,
  type UpgradeResponseLike,
  type SentUpgradeRequest,
  type UpgradeResponseInfo,
} from './upgrade-client-response.js';
export {
  RequestHeadParser,
  type RequestHead,
  type RequestHeadResult,
  type RequestHeadLimits,
} from './request-head-parser.js';
export {
  buildExtendedConnectRequest,
  buildExtendedConnectResponse,
  isWebSocketConnect,
  validateExtendedConnectRequest,
  validateExtendedConnectResponse,
  WEBSOCKET_PROTOCOL_TOKEN,
  type ExtendedConnectInfo,
  type ExtendedConnectRequest,
  type ExtendedConnectResponseOptions,
  type Http2HeaderRecord,
} from './extended-connect.js';
export { readUpgradeRequest, type ReadUpgradeRequestOptions, type UpgradeRequestHead } from './read-upgrade-request.js';
export { rejectSocket } from './reject-socket.js';
