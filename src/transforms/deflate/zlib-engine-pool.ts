import { openEngine, specKey, type EngineSpec } from './engine-spec.js';
import type { EngineListener, ZlibEngine } from './zlib-engine.js';
import { sharedZlibLimiter } from './zlib-limiter.js';

/**
 * Reset zlib engines shared by the stages of a direction without context takeover
 * (RFC 7692 §7.1.1): no window survives a message there, so a stage borrows an engine for
 * one message and gives it back reset, and a thousand connections need only as many
 * engines as run at once (the zlib limiter bounds that) instead of one each (a compressor
 * at windowBits 15 / memLevel 8 holds ~256 KiB). At most `maxIdle` idle engines are kept
 * per spec; extra ones are closed.
 */
export class ZlibEnginePool {
  private readonly idle = new Map<string, ZlibEngine[]>();
  private readonly made = new Map<string, number>();

  /** `maxIdle`: a number, or read at each return (to follow the limiter's concurrency). */
  constructor(private readonly maxIdle: number | (() => number)) {}

  /** An engine for one message, reporting to `listener`: an idle one, or a new one. */
  borrow(spec: EngineSpec, listener: EngineListener): ZlibEngine {
    const key = specKey(spec);
    const idle = this.idle.get(key);
    let engine = idle?.pop();
    // An idle engine cannot fail (nothing is written to it), but never lend a closed one.
    while (engine?.closed) engine = idle?.pop();
    if (engine === undefined) {
      engine = openEngine(spec, null);
      this.made.set(key, (this.made.get(key) ?? 0) + 1);
    }
    engine.attach(listener);
    return engine;
  }

  /**
   * Takes back an engine whose message ended after its last write completed: reset, it
   * is kept if there is room, else closed. A closed (failed) engine is dropped.
   */
  giveBack(spec: EngineSpec, engine: ZlibEngine): void {
    engine.attach(null);
    if (engine.closed) return;
    const key = specKey(spec);
    let idle = this.idle.get(key);
    if (idle === undefined) this.idle.set(key, (idle = []));
    const limit = typeof this.maxIdle === 'number' ? this.maxIdle : this.maxIdle();
    if (idle.length >= limit) {
      engine.close();
      return;
    }
    engine.reset();
    idle.push(engine);
  }

  /** Idle engines kept for `spec`, or for all specs. For tests and metrics. */
  idleCount(spec?: EngineSpec): number {
    if (spec !== undefined) return this.idle.get(specKey(spec))?.length ?? 0;
    let count = 0;
    for (const idle of this.idle.values()) count += idle.length;
    return count;
  }

  /** Engines this pool has created for `spec`, or for all specs, ever. For tests and metrics. */
  createdCount(spec?: EngineSpec): number {
    if (spec !== undefined) return this.made.get(specKey(spec)) ?? 0;
    let count = 0;
    for (const made of this.made.values()) count += made;
    return count;
  }

  /** Closes every idle engine (borrowed ones are closed or returned by their stages). */
  clear(): void {
    for (const idle of this.idle.values()) for (const engine of idle) engine.close();
    this.idle.clear();
  }
}

/** The pool every stage uses unless given its own: as many idle engines per spec as the shared limiter runs jobs. */
export const sharedEnginePool: ZlibEnginePool = new ZlibEnginePool(() => sharedZlibLimiter.concurrency);
