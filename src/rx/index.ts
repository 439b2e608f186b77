/**
 * wspipe/rx: RxJS adapters (rxjs 7 is an optional peer dependency; only this entry
 * imports it). Everything here imports wspipe by relative path, never the package root.
 */
export { connect$ } from './connect.js';
export { SocketSubject } from './socket-subject.js';
export type { DroppedValue } from './socket-core.js';
export { messages$ } from './messages.js';
export { connections$ } from './connections.js';
export { publishTo, topic$ } from './topics.js';
export type { RxConnectOptions } from './options.js';
export type { ConnectionState } from './state.js';
export { CloseError, isNormalClose, type CloseInfo } from './close-info.js';
export { backoffDelay, DEFAULT_RECONNECT, reconnectPolicy, type ReconnectOptions, type ReconnectPolicy } from './backoff.js';
export {
  BufferOverflowError,
  DEFAULT_BUFFER_BYTES,
  DEFAULT_BUFFER_LIMIT,
  type BufferOptions,
  type OverflowPolicy,
} from './outbound-buffer.js';
export { defaultDeserializer, defaultSerializer, type WireData } from './wire.js';
export { json, jsonDeserializer, jsonSerializer, validJson, type JsonResult } from './json.js';
