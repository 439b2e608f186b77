import { openEngine, type EngineSpec } from './engine-spec.js';
import type { EngineListener, ZlibEngine } from './zlib-engine.js';
import type { ZlibEnginePool } from './zlib-engine-pool.js';

/**
 * The engine a stage uses for the message in progress. With context takeover it is the
 * stage's own, kept across messages (RFC 7692 §7.1.1). Without, it is borrowed from a
 * pool at the message's first zlib job, kept for all its jobs (the window must survive
 * within a message, §7.2.1), and given back reset when the message ends.
 */
export class EngineSlot {
  private engine: ZlibEngine | null = null;

  /** `pool`: borrow per message from it (no context takeover), or `null` to own one engine. */
  constructor(
    private readonly spec: EngineSpec,
    private readonly listener: EngineListener,
    private readonly pool: ZlibEnginePool | null,
  ) {}

  /** The engine for the current message, created or borrowed on first use. */
  get(): ZlibEngine {
    return (this.engine ??= this.pool === null ? openEngine(this.spec, this.listener) : this.pool.borrow(this.spec, this.listener));
  }

  /** The message ended and no write is in flight: a borrowed engine goes back reset. */
  endMessage(): void {
    const engine = this.engine;
    if (this.pool === null || engine === null) return;
    this.engine = null;
    this.pool.giveBack(this.spec, engine);
  }

  /**
   * Closes the engine: its stream ended (BFINAL), it failed, or the stage stopped, maybe
   * with a write in flight. Never returned to the pool, so no borrower gets a broken one.
   */
  drop(): void {
    this.engine?.close();
    this.engine = null;
  }
}
