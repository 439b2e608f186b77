import { types } from 'node:util';
import { toDOMString, toUSVString } from './webidl.js';

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

/**
 * send()'s WebIDL conversion. A Blob, an ArrayBuffer or a view on one is binary, and its
 * bytes are copied: what is sent is the data at the time of the call, even if the caller
 * reuses the buffer while a Blob ahead is read or a message ahead is compressed. A
 * SharedArrayBuffer is not a BufferSource, so it is a USVString like any other object
 * ("[object SharedArrayBuffer]"), and a view on one cannot be converted at all: without
 * [AllowShared] on send()'s BufferSource, WebIDL throws a TypeError for it.
 */
export function normaliseSendData(data: unknown): string | Buffer | Blob {
  if (typeof data === 'string') return data;
  if (data instanceof Blob) return data;
  if (types.isArrayBuffer(data)) return Buffer.from(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) {
    if (types.isSharedArrayBuffer(data.buffer)) throw new TypeError('send() cannot take a view on a SharedArrayBuffer (it is not a BufferSource without [AllowShared])');
    return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return toUSVString(data);
}

/** The bytes send() adds to bufferedAmount: UTF-8 length of text, size of binary data. */
export function sendSize(data: string | Buffer | Blob): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  return data instanceof Blob ? data.size : data.length;
}
