/** Runs `pass` repeatedly for about `seconds` after a warm-up; returns passes per second. */
export async function passesPerSecond(pass: () => void | Promise<void>, seconds = 1, warmupSeconds = 0.3): Promise<number> {
  const warmEnd = performance.now() + warmupSeconds * 1000;
  while (performance.now() < warmEnd) await pass();
  let passes = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await pass();
    passes++;
  }
  return passes / ((performance.now() - start) / 1000);
}

export interface ResultRow {
  name: string;
  size: string;
  framesPerSecond: number;
  megabytesPerSecond: number;
}

export function formatRate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

/** A latency in microseconds, in the unit that reads best (µs, ms or s). */
export function formatMicros(micros: number): string {
  if (!Number.isFinite(micros)) return '–';
  if (micros >= 1e6) return `${(micros / 1e6).toFixed(2)} s`;
  if (micros >= 1e3) return `${(micros / 1e3).toFixed(micros >= 1e5 ? 0 : 1)} ms`;
  return `${micros.toFixed(0)} µs`;
}
