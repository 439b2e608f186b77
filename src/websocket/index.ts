export { WebSocket, type WebSocketEventHandler, type WebSocketOptions } from './websocket.js';
export { CloseEvent, ErrorEvent, type CloseEventInit, type ErrorEventInit } from './events.js';
export type { BinaryType, SendData } from './binary.js';
export { WebSocketStream, type WebSocketStreamConnectOptions, type WebSocketStreamOptions } from './websocket-stream.js';
