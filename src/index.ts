/**
 * wspipe: the WebSocket protocol (RFC 6455, RFC 7692) as composable node:stream stages,
 * with a connection, server and client built from the same stages, fused.
 */
export * from './transforms/index.js';
export * from './handshake/index.js';
export * from './extensions/index.js';
export { CloseError, isNormalClose, type CloseInfo } from './errors.js';
export { Connection, type CloseDetails, type ConnectionEvents, type SendOptions } from './connection/connection.js';
export { MessageStream } from './connection/message-stream.js';
export { ReadyState, type ReadyStateValue } from './connection/ready-state.js';
export { CHANNEL_NAMES } from './connection/diagnostics.js';
export type { ConnectionCounters } from './connection/counters.js';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_ITERATOR_HIGH_WATER,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  ERROR_GRACE_MS,
  type ConnectionOptions,
  type CustomStages,
  type DecodeStagePosition,
  type EncodeStagePosition,
  type HeartbeatOptions,
  type StageInsertion,
} from './connection/options.js';
export { DEFAULT_SERVER_IDLE_TIMEOUT_MS, IDLE_PROGRESS_BYTES } from './connection/idle-timeout.js';
export { rateLimit } from './connection/rate-limit.js';
export { WebSocketServer, createServer, type ServerEvents } from './server/server.js';
export { DEFAULT_MAX_CONNECTIONS } from './server/admission.js';
export type { ServerOptions, UpgradeRequestView, VerifyClient, VerifyClientInfo, VerifyClientResult } from './server/options.js';
export { connect, DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS, type ConnectOptions } from './client/connect.js';
export {
  WebSocket,
  CloseEvent,
  ErrorEvent,
  type BinaryType,
  type CloseEventInit,
  type ErrorEventInit,
  type SendData,
  type WebSocketEventHandler,
  type WebSocketOptions,
} from './websocket/index.js';
