import { types } from 'node:util';
import { toBytesOrString, toDOMString } from '../validation/webidl.js';

/** What `binaryType` selects for received binary messages: the browser types, or Node Buffers. */
export type BinaryType = 'blob' | 'arraybuffer' | 'nodebuffer';

/**
 * The binaryType setter's value: WebIDL converts it to a string first (a Symbol is a
 * TypeError); a string that is not one of the enum's values is ignored (undefined).
 */
export function toBinaryTypeValue(value: unknown): BinaryType | undefined {
  const text = toDOMString(value);
  return text === 'blob' || text === 'arraybuffer' || text === 'nodebuffer' ? text : undefined;
}

/** Converts a received payload; copies only when the Buffer is a view into a larger one. */
export function toBinaryType(data: Buffer, type: BinaryType): Buffer | ArrayBuffer | Blob {
  if (type === 'nodebuffer') return data;
  if (type === 'blob') return new Blob([data]);
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && types.isArrayBuffer(data.buffer)) return data.buffer;
  return new Uint8Array(data).buffer;
}

/** What send() takes: WebIDL `(BufferSource or Blob or USVString)`; Node Buffers are Uint8Arrays. */
export type SendData = string | ArrayBuffer | ArrayBufferView | Blob;

/** send()'s WebIDL conversion: a Blob as it is, anything else as `(BufferSource or USVString)` (copied bytes, or a string). */
export function normaliseSendData(data: unknown): string | Buffer | Blob {
  return data instanceof Blob ? data : toBytesOrString(data);
}

/** The bytes send() adds to bufferedAmount: UTF-8 length of text, size of binary data. */
export function sendSize(data: string | Buffer | Blob): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  return data instanceof Blob ? data.size : data.length;
}
