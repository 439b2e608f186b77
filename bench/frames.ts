import { randomFillSync } from 'node:crypto';

/** Payload sizes every codec benchmark runs. */
export const SIZES = [
  { label: '32 B', bytes: 32 },
  { label: '1 KiB', bytes: 1024 },
  { label: '64 KiB', bytes: 64 * 1024 },
  { label: '1 MiB', bytes: 1024 * 1024 },
] as const;

export const CHUNK_SIZE = 64 * 1024;

/**
 * A stream of masked binary frames (client → server) of one payload size, about
 * `totalBytes` long, cut into 64 KiB chunks as a socket would deliver them. Binary, so
 * that unmasking the same chunks in place on every pass stays valid input.
 */
export function maskedFrameChunks(payloadBytes: number, totalBytes: number): { chunks: Buffer[]; frames: number } {
  const payload = randomFillSync(Buffer.alloc(payloadBytes));
  const frameCount = Math.max(1, Math.floor(totalBytes / (payloadBytes + 14)));
  const parts: Buffer[] = [];
  for (let i = 0; i < frameCount; i++) parts.push(maskedFrame(payload, 0x12345678 + i));
  const stream = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let position = 0; position < stream.length; position += CHUNK_SIZE) {
    chunks.push(Buffer.from(stream.subarray(position, position + CHUNK_SIZE)));
  }
  return { chunks, frames: frameCount };
}

function maskedFrame(payload: Buffer, key: number): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + 4);
  head[0] = 0x82;
  if (lengthBytes === 0) head[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  head.writeUInt32BE(key >>> 0, 2 + lengthBytes);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= head[2 + lengthBytes + (i & 3)]!;
  return Buffer.concat([head, body]);
}
