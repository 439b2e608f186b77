import type { DeflateRaw, InflateRaw } from 'node:zlib';
import { toError } from '../../errors.js';

/** Where an engine reports: output as zlib produces it, and a failure (at most once). */
export interface EngineListener {
  onOutput(chunk: Buffer): void;
  onFailure(error: Error): void;
}

/**
 * One raw zlib stream (its context is the LZ77 window of one direction of one connection,
 * or of one message at a time when pooled), driven one write at a time. Output arrives
 * through `onOutput` before the write's completion; errors through `onFailure`. Nothing is
 * reported after `close()`, nor while no listener is attached (an idle pooled engine).
 */
export class ZlibEngine {
  private ended = false;
  private listener: EngineListener | null;

  constructor(
    private readonly stream: InflateRaw | DeflateRaw,
    listener: EngineListener | null,
  ) {
    this.listener = listener;
    stream.on('data', (chunk: Buffer) => {
      const current = this.listener;
      if (!this.ended && current !== null) this.guard(() => current.onOutput(chunk));
    });
    // Stays attached for the stream's life: an 'error' without a listener would crash.
    stream.on('error', (error: Error) => this.failed(error));
  }

  /** Closed by `close()` or by a failure: it must not be used again. */
  get closed(): boolean {
    return this.ended;
  }

  /** Reports to `listener` from now on (`null`: to nobody, while the engine is idle in a pool). */
  attach(listener: EngineListener | null): void {
    this.listener = listener;
  }

  /**
   * Runs `input` through zlib; `done(consumed)` follows its output. `consumed` is less than
   * `input.length` only when the DEFLATE stream ended (a block with BFINAL set).
   */
  write(input: Buffer, done: (consumed: number) => void): void {
    const stream = this.stream;
    const before = stream.bytesWritten;
    stream.write(input, (error) => {
      if (this.ended) return;
      if (error) {
        this.failed(error);
        return;
      }
      // In flowing mode output is emitted as it is pushed; anything a paused readable
      // side still buffers goes out (through 'data') before the completion.
      this.guard(() => {
        while (stream.readableLength > 0 && stream.read() !== null);
        if (!this.ended) done(stream.bytesWritten - before);
      });
    });
  }

  /** Empties the window: the next message starts without context (RFC 7692 §7.1.1). */
  reset(): void {
    if (!this.ended) this.stream.reset();
  }

  /** Frees zlib's memory now (after a write in progress, if any). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.stream.destroy();
  }

  /** Nothing may throw into zlib's callbacks: an exception there becomes a failure. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.failed(toError(error));
    }
  }

  private failed(error: Error): void {
    if (this.ended) return;
    this.close();
    this.listener?.onFailure(error);
  }
}
