import type { Writable } from 'node:stream';

/**
 * Gathers every frame written to a socket in one tick into one system call: the first
 * write of a tick corks the socket and a microtask-later tick uncorks it, so Node
 * flushes the batch with writev. Small-message servers spend most of their time in
 * system calls otherwise (measured: see the echo benchmark in README.md).
 */
export class WriteCoalescer {
  private corked = false;

  constructor(private readonly socket: Writable) {}

  /** Writes `chunk`; returns the socket's backpressure signal. */
  write(chunk: Buffer): boolean {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      // A shared function and an argument: no closure kept per connection.
      process.nextTick(flush, this);
    }
    return this.socket.write(chunk);
  }

  /** Uncorks: what was written since the cork leaves in one writev. */
  flush(): void {
    this.corked = false;
    this.socket.uncork();
  }
}

function flush(coalescer: WriteCoalescer): void {
  coalescer.flush();
}
