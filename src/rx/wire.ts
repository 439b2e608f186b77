import type { Connection } from '../connection/connection.js';
import type { BinaryData, DataMessage } from '../transforms/records.js';

/**
 * What a serializer produces: a string (sent as text), bytes (sent as binary), or a
 * DataMessage, which picks the frame type itself, so received messages echo as they came.
 */
export type WireData = string | BinaryData | DataMessage;

/** The default serializer: strings → text, Buffers/typed arrays/ArrayBuffers → binary. */
export function defaultSerializer<Out>(value: Out): WireData {
  checkWire(value);
  return value;
}

/** The default deserializer: the Message itself, so no frame can fail to deserialize. */
export function defaultDeserializer(message: DataMessage): DataMessage {
  return message;
}

function checkWire(value: unknown): asserts value is WireData {
  if (typeof value === 'string' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || isDataMessage(value)) return;
  throw new TypeError(`Cannot send ${typeof value === 'object' ? 'this object' : typeof value}: pass a string, bytes, or a serializer`);
}

function isDataMessage(value: unknown): value is DataMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, data } = value as { type?: unknown; data?: unknown };
  return (type === 'text' && typeof data === 'string') || (type === 'binary' && Buffer.isBuffer(data));
}

/** Sends one serialized value; false when the socket asks to wait for 'drain'. */
export function sendWire(connection: Connection, data: WireData): boolean {
  checkWire(data);
  if (typeof data === 'string' || !isDataMessage(data)) return connection.send(data);
  return connection.send(data.data, { binary: data.type === 'binary' });
}

/** Payload bytes, for the outbound buffer's byte limit. */
export function wireSize(data: WireData): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (isDataMessage(data)) return typeof data.data === 'string' ? Buffer.byteLength(data.data) : data.data.length;
  return data.byteLength;
}

/** Identifies a multiplex channel by its subscribe message, by value. */
export function wireKey(data: WireData): string {
  if (typeof data === 'string') return `t:${data}`;
  if (isDataMessage(data)) return data.type === 'text' ? `t:${data.data}` : `b:${data.data.toString('base64')}`;
  const bytes = ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
  return `b:${bytes.toString('base64')}`;
}
