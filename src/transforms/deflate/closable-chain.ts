import type { Stream } from 'node:stream';
import { FusedCore, type StageCore } from '../stage.js';

/** Something holding resources beyond memory (a zlib engine) that must be released. */
export interface Closable {
  close(): void;
}

/** A fused chain; `close` is there when the chain holds zlib engines, and releases them. */
export type ChainCore<In> = StageCore<In> & Partial<Closable>;

/**
 * A fused chain with compression stages in it: `close()` frees their zlib engines when
 * the connection goes away. Chains without compression stay plain {@link FusedCore}s.
 */
export class ClosableFusedCore<In> extends FusedCore<In> implements Closable {
  constructor(
    first: StageCore<In>,
    cores: ReadonlyArray<StageCore<never>>,
    private readonly closables: readonly Closable[],
  ) {
    super(first, cores);
  }

  close(): void {
    for (const closable of this.closables) closable.close();
  }
}

/** Releases the chain's engines once `stream` has closed (ended or destroyed). */
export function closeWithStream(stream: Stream, core: ChainCore<never>): void {
  const close = core.close;
  if (close !== undefined) stream.once('close', () => close.call(core));
}
