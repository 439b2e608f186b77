/**
 * wspipe: the WebSocket protocol (RFC 6455, RFC 7692) as composable node:stream stages,
 * with a connection, server and client built from the same stages, fused.
 */
export * from './transforms/index.js';
export * from './handshake/index.js';
export * from './extensions/index.js';
export { CloseError, isNormalClose, type CloseInfo, type WebSocketCloseInfo, type WebSocketErrorOptions } from './errors.js';
export { Connection, type CloseDetails, type ConnectionEvents, type SendOptions } from './connection/connection.js';
export { MessageStream } from './connection/message-stream.js';
export { MessageDuplex, type DuplexMessage } from './connection/message-duplex.js';
export type { ClosedInfo, ConnectionStreams, StreamChunk, StreamMessage, WebSocketOpenInfo } from './connection/web-streams.js';
export {
  DEFAULT_DUPLEX_HIGH_WATER_MARK,
  DEFAULT_STREAM_HIGH_WATER_MARK,
  type MessageDuplexOptions,
  type WebStreamOptions,
} from './connection/stream-options.js';
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
export { DEFAULT_MAX_BACKPRESSURE, type BackpressurePolicy, type SlowSubscriberInfo, type TopicOptions } from './topics/options.js';
export { MAX_TOPIC_LENGTH } from './topics/publication.js';
export type { TopicListener } from './topics/topic-hub.js';
export type { Broker, BrokerHost, BrokerMessage } from './topics/broker.js';
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
  WebSocketStream,
  type WebSocketStreamConnectOptions,
  type WebSocketStreamOptions,
} from './websocket/index.js';
