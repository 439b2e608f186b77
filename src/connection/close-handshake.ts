import { CloseCode } from '../close-codes.js';
import { CloseError, WebSocketError, type CloseInfo } from '../errors.js';
import type { Role } from '../transforms/records.js';

/** How a connection ended: see `Connection.closeInfo`. */
export interface CloseDetails extends CloseInfo {
  /** The peer's close frame, if one arrived before the connection failed (RFC 6455 §7.1.7 stops reading after). */
  remote: { code: number; reason: string } | null;
  /** What failed the connection, if something did. */
  error: Error | null;
}

/** What the close handshake does to its connection. */
export interface CloseHost {
  readonly role: Role;
  /** Sends the close frame: after queued data (`now` false), or at once (a failure). */
  sendCloseFrame(code: number | undefined, reason: string, now: boolean): void;
  /** Ends TCP once the encoder has passed on everything (close frame included). */
  endSocket(): void;
  destroySocket(): void;
}

/**
 * The closing handshake of RFC 6455 §5.5.1 and §7, and what it reports. Either side may
 * start it; the other answers with a close frame echoing the code; the server ends TCP
 * first (§7.1.1). A protocol error fails the connection (§7.1.7): its close frame goes at
 * once, nothing more is read, and the socket is destroyed after a short grace.
 */
export class CloseHandshake {
  private code: number = CloseCode.ABNORMAL;
  private reason = '';
  private remote: { code: number; reason: string } | null = null;
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private result: CloseDetails | null = null;

  constructor(
    private readonly host: CloseHost,
    private readonly closeTimeout: number,
    private readonly errorGrace: number,
  ) {}

  /** How it ended, once the socket closed. */
  get details(): CloseDetails | null {
    return this.result;
  }

  /** `close(code, reason)` here: our close frame after queued data, then wait for the peer's. */
  start(code: number | undefined, reason: string): void {
    if (this.started) return;
    this.started = true;
    this.host.sendCloseFrame(code, reason, false);
    this.arm(this.closeTimeout);
  }

  /** The peer's close frame: answer it (echoing its code) unless we started, then end TCP as the server. */
  onCloseFrame(code: number | undefined, reason: string): boolean {
    const reported = code ?? CloseCode.NO_STATUS;
    this.remote = { code: reported, reason };
    this.code = reported;
    this.reason = reason;
    const first = !this.started;
    if (first) {
      this.started = true;
      this.host.sendCloseFrame(code, '', false);
      this.arm(this.closeTimeout);
    }
    if (this.host.role === 'server') this.host.endSocket();
    return first;
  }

  /** A protocol error (or an internal one): close with its code at once, stop, destroy soon. */
  fail(error: Error): boolean {
    if (this.failure || this.result) return false;
    this.failure = error;
    const code = error instanceof WebSocketError ? error.closeCode : CloseCode.INTERNAL_ERROR;
    this.code = code;
    this.reason = error.message;
    this.started = true;
    // 1006 is never sent (RFC 6455 §7.4.1): the input just ended.
    if (code !== CloseCode.ABNORMAL) this.host.sendCloseFrame(code, '', true);
    this.host.endSocket();
    this.arm(this.errorGrace);
    return true;
  }

  /** The heartbeat saw no pong: the connection is dead, report why. */
  timedOut(reason: string): void {
    this.reason = reason;
    this.host.destroySocket();
  }

  /**
   * The socket closed: settles what is reported. A transport that failed (a reset, a write
   * error) did not complete the handshake even after both close frames were queued: ours may
   * never have left (RFC 6455 §7.1.4: clean only once the closing handshake completed).
   */
  finish(transportFailed = false): CloseDetails {
    if (this.timer) clearTimeout(this.timer);
    const received = this.remote !== null;
    if (!received && !this.failure) this.code = CloseCode.ABNORMAL;
    // A close frame received means the handshake started: we answered it, or had sent ours.
    const wasClean = received && !this.failure && !transportFailed;
    this.result = { code: this.code, reason: this.reason, wasClean, remote: this.remote, error: this.failure };
    return this.result;
  }

  /** Why data can no longer reach the peer (see `OutboundHost.stoppedBy`). */
  stoppedBy(ownCloseSent: boolean): WebSocketError | null {
    if (this.result) return new CloseError(this.result, { cause: this.failure ?? undefined });
    if (this.failure) return new WebSocketError('WS_ERR_NOT_OPEN', this.code, `The connection failed: ${this.failure.message}`, { cause: this.failure });
    if (this.remote) return new WebSocketError('WS_ERR_NOT_OPEN', this.remote.code, `The peer closed the connection with ${this.remote.code}`);
    if (ownCloseSent) return new WebSocketError('WS_ERR_NOT_OPEN', CloseCode.ABNORMAL, 'The connection is closing');
    return null;
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.host.destroySocket(), ms);
    this.timer.unref();
  }
}
