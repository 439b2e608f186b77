import type { HeartbeatOptions } from './options.js';

/**
 * Pings the peer every `interval` ms and calls `onDead` when a pong has not come back
 * `timeout` ms after its ping. Each ping carries a sequence number so that only the
 * matching pong counts, and the round-trip time of the last one is kept.
 */
export class Heartbeat {
  private readonly timeout: number;
  private timer: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private sequence = 0;
  private sentAt = 0;
  /** Round-trip time of the last answered heartbeat ping, in ms; undefined before one. */
  roundTripTime: number | undefined = undefined;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly sendPing: (payload: Buffer) => void,
    private readonly onDead: () => void,
  ) {
    if (!(options.interval > 0)) throw new RangeError('heartbeat.interval must be a positive number of ms');
    this.timeout = options.timeout ?? options.interval;
  }

  start(): void {
    this.timer = setInterval(() => this.beat(), this.options.interval);
    this.timer.unref();
  }

  /** Called with every pong payload. */
  pong(payload: Buffer): void {
    if (this.deadline === null || payload.length !== 4 || payload.readUInt32BE(0) !== this.sequence) return;
    clearTimeout(this.deadline);
    this.deadline = null;
    this.roundTripTime = performance.now() - this.sentAt;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.deadline) clearTimeout(this.deadline);
    this.timer = null;
    this.deadline = null;
  }

  private beat(): void {
    if (this.deadline !== null) return;
    this.sequence = (this.sequence + 1) >>> 0;
    const payload = Buffer.allocUnsafe(4);
    payload.writeUInt32BE(this.sequence, 0);
    this.sentAt = performance.now();
    this.deadline = setTimeout(() => {
      this.deadline = null;
      this.onDead();
    }, this.timeout);
    this.deadline.unref();
    this.sendPing(payload);
  }
}
