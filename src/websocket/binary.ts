/** What `binaryType` selects for received binary messages: Node Buffers, or the browser types. */
export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'blob';

export function isBinaryType(value: unknown): value is BinaryType {
  return value === 'nodebuffer' || value === 'arraybuffer' || value === 'blob';
}

/** Converts a received payload; copies only when the Buffer is a view into a larger one. */
export function toBinaryType(data: Buffer, type: BinaryType): Buffer | ArrayBuffer | Blob {
  if (type === 'nodebuffer') return data;
  if (type === 'blob') return new Blob([data]);
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) return data.buffer;
  return new Uint8Array(data).buffer;
}

/** What send() accepts (the WHATWG union, plus Node Buffers, which are Uint8Arrays). */
export type SendData = string | ArrayBufferLike | Blob | ArrayBufferView;

/** Normalises send()'s argument: anything that is not bytes or a Blob is sent as its string. */
export function normaliseSendData(data: SendData): string | Buffer | Blob {
  if (typeof data === 'string') return data;
  if (data instanceof Blob) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) return Buffer.from(data);
  return String(data);
}

export function sendSize(data: string | Buffer | Blob): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  return data instanceof Blob ? data.size : data.length;
}
