/**
 * An independent reference for building raw frames in tests (RFC 6455 §5.2), written
 * separately from the library's serializer so that tests do not check code against itself.
 */
export interface RawFrame {
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  opcode: number;
  payload?: Uint8Array | string;
  /** A 4-byte key; masked when given. */
  mask?: Uint8Array | number[];
  /** Force a length encoding: 7, 16 or 64 bits. Default: minimal. */
  lengthBits?: 7 | 16 | 64;
  /** Override the announced length (for truncated/lying frames). */
  announcedLength?: bigint | number;
}

export function frame(spec: RawFrame): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : Buffer.from(spec.payload ?? []);
  const announced = BigInt(spec.announcedLength ?? payload.length);
  const bits = spec.lengthBits ?? (announced < 126n ? 7 : announced < 65536n ? 16 : 64);
  const bytes: number[] = [];
  bytes.push(
    (spec.fin === false ? 0 : 0x80) |
      (spec.rsv1 ? 0x40 : 0) |
      (spec.rsv2 ? 0x20 : 0) |
      (spec.rsv3 ? 0x10 : 0) |
      spec.opcode,
  );
  const maskBit = spec.mask ? 0x80 : 0;
  if (bits === 7) bytes.push(maskBit | Number(announced));
  else if (bits === 16) bytes.push(maskBit | 126, Number(announced >> 8n) & 0xff, Number(announced) & 0xff);
  else {
    bytes.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) bytes.push(Number((announced >> shift) & 0xffn));
  }
  let body = payload;
  if (spec.mask) {
    const key = Array.from(spec.mask);
    bytes.push(...key);
    body = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  }
  return Buffer.concat([Buffer.from(bytes), body]);
}

export const MASK = [0x37, 0xfa, 0x21, 0x3d];

/** Splits `bytes` into chunks of the given sizes (cycled), down to 1 byte. */
export function rechunk(bytes: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let position = 0;
  let index = 0;
  while (position < bytes.length) {
    const size = Math.max(1, sizes[index++ % sizes.length]!);
    // Copies, so that in-place unmasking of one run never affects another.
    chunks.push(Buffer.from(bytes.subarray(position, position + size)));
    position += size;
  }
  return chunks;
}
