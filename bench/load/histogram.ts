/**
 * A latency histogram that merges across processes: log-scaled buckets of microseconds,
 * 16 per power of two (each about 4.4% wide), so percentiles are exact to that width.
 */
const PER_OCTAVE = 16;
const BUCKETS = PER_OCTAVE * 40;

export class Histogram {
  readonly counts: number[];
  total = 0;
  max = 0;

  constructor(counts?: number[]) {
    this.counts = counts ?? new Array<number>(BUCKETS).fill(0);
    for (const count of this.counts) this.total += count;
  }

  record(microseconds: number): void {
    const value = Math.max(1, microseconds);
    const index = Math.min(BUCKETS - 1, Math.floor(Math.log2(value) * PER_OCTAVE));
    this.counts[index]!++;
    this.total++;
    if (value > this.max) this.max = value;
  }

  merge(other: { counts: number[]; max: number }): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.total += other.counts.reduce((sum, count) => sum + count, 0);
    this.max = Math.max(this.max, other.max);
  }

  /** The value below which `fraction` of the samples are (the upper edge of its bucket), in µs. */
  percentile(fraction: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil(fraction * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(2 ** ((i + 1) / PER_OCTAVE), this.max);
    }
    return this.max;
  }

  toJSON(): { counts: number[]; max: number } {
    return { counts: this.counts, max: this.max };
  }
}
