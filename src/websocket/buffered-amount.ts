import type { Connection } from '../connection/connection.js';

/**
 * WHATWG `bufferedAmount`: bytes of application data (UTF-8 text, binary) passed to
 * send() and not yet handed to the network, without framing or compression. A send
 * counts at once; it stops counting in a later task, once the connection has flushed it
 * to the operating system ("as of the last time the event loop reached step 1"). Data
 * discarded because the connection was closing keeps counting: the value never resets.
 */
export class BufferedAmount {
  #value = 0;
  /** Bytes handed to the connection and not yet known to be flushed. */
  #unflushed = 0;
  #watching = false;

  get value(): number {
    return this.#value;
  }

  /** Counts a send (discarded or not). */
  add(size: number): void {
    this.#value += size;
  }

  /** `size` counted bytes were handed to `connection`: they stop counting once it flushed them. */
  handedTo(connection: Connection, size: number): void {
    this.#unflushed += size;
    if (!this.#watching) this.#watch(connection);
  }

  /** One flush wait at a time covers every send before it; sends meanwhile wait for the next. */
  #watch(connection: Connection): void {
    this.#watching = true;
    const covered = this.#unflushed;
    void connection.flushed().then(() =>
      setImmediate(() => {
        this.#value -= covered;
        this.#unflushed -= covered;
        this.#watching = false;
        if (this.#unflushed > 0) this.#watch(connection);
      }),
    );
  }
}
