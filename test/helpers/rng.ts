/**
 * A small seeded PRNG (mulberry32) and byte-stream re-chunking, shared by the property
 * tests, the decoder fuzz test and the standalone fuzzer. Every generated case is a pure
 * function of its seed, so a failure is reproduced by its seed alone.
 */

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let point = this.next() * total;
    for (const [key, weight] of entries) {
      point -= weight;
      if (point < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  bytes(length: number): Buffer {
    return fillBytes(Buffer.allocUnsafe(length), this.int(0, 0xffffffff));
  }
}

/** Fills `target` with bytes from a fast generator seeded by `seed` (xorshift32). */
export function fillBytes(target: Buffer, seed: number): Buffer {
  let x = seed >>> 0 || 0x9e3779b9;
  let i = 0;
  for (const end4 = target.length - 3; i < end4; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    target.writeUInt32LE(x >>> 0, i);
  }
  for (; i < target.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    target[i] = x & 0xff;
  }
  return target;
}

/**
 * Splits `bytes` into chunks whose sizes cycle through `sizes` (down to 1 byte). Once
 * `budget` chunks have been cut, sizes grow so that at most about 2 × `budget` chunks are
 * made: a 200 KB stream in 1-byte chunks would cost seconds per run. Every chunk is a
 * copy, because the decoder unmasks in place and a stream is often decoded more than once.
 */
export function rechunk(bytes: Buffer, sizes: readonly number[], budget = Infinity): Buffer[] {
  const chunks: Buffer[] = [];
  let position = 0;
  let index = 0;
  let floor = 1;
  while (position < bytes.length) {
    if (chunks.length === budget) floor = Math.ceil((bytes.length - position) / budget);
    const size = Math.max(floor, Math.floor(sizes[index++ % sizes.length]!));
    chunks.push(Buffer.from(bytes.subarray(position, position + size)));
    position += size;
  }
  return chunks;
}

/** A random chunk-size plan: a short list of sizes, cycled, from 1-byte to large. */
export function randomChunkPlan(rng: Rng): number[] {
  const count = rng.int(1, 5);
  const plan: number[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.weighted({ one: 3, tiny: 3, small: 3, medium: 2, large: 1 });
    plan.push(
      kind === 'one' ? 1 : kind === 'tiny' ? rng.int(1, 7) : kind === 'small' ? rng.int(1, 64) : kind === 'medium' ? rng.int(1, 2048) : rng.int(1, 100_000),
    );
  }
  return plan;
}
