import type { Duplex } from 'node:stream';
import { HandshakeError } from '../handshake/handshake-error.js';

/**
 * Open connections a server accepts by default, handshakes in progress included: beyond
 * them an upgrade is answered 503 before anything is allocated for it. High enough for a
 * busy server; low enough that the memory it bounds (about 8 KiB per idle connection plus
 * the kernel's socket buffers) stays within a small machine's. The open-file limit of the
 * process (`ulimit -n`) may be lower: keep this below it, so that a client over the limit
 * gets a 503 rather than a connection the kernel resets.
 */
export const DEFAULT_MAX_CONNECTIONS = 50_000;

/**
 * Counts a server's connections and the handshakes it has taken on (read, and waiting for
 * `verifyClient` or the 101), and refuses what would go past `maxConnections`.
 */
export class Admission {
  private readonly pending = new WeakSet<Duplex>();
  private pendingCount = 0;

  constructor(private readonly max: number) {}

  /** Takes a place for the handshake on `socket`, or returns the 503 to answer with. */
  enter(socket: Duplex, open: number): HandshakeError | null {
    if (open + this.pendingCount >= this.max) {
      return new HandshakeError(503, 'WS_ERR_HANDSHAKE_REFUSED', `Server at capacity (maxConnections ${this.max})`);
    }
    this.pending.add(socket);
    this.pendingCount++;
    return null;
  }

  /** The handshake on `socket` ended: it became a connection (counted from now as open) or was refused. */
  leave(socket: Duplex): void {
    if (this.pending.delete(socket)) this.pendingCount--;
  }
}
