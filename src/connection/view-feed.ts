import type { DataMessage } from '../transforms/records.js';
import type { CloseDetails, Connection } from './connection.js';
import type { ReadHold } from './inbound.js';
import { ReadyState } from './ready-state.js';

/** What a stream view hears from its connection. */
export interface ViewListener {
  /** A data message that came while the connection was open. */
  message(message: DataMessage): void;
  /** The connection closed (called once, in the 'close' event or, if it had closed already, in a microtask). */
  closed(details: CloseDetails): void;
}

/**
 * The receiving side both stream views share (web streams, Duplex): data messages, flow
 * control — the socket is not read while the view's reader is behind, so a fast peer
 * fills the TCP window instead of memory — and the close. Once the close handshake has
 * started, by either side, the socket is never held again, so that the peer's close frame
 * is read; data messages arriving after it are dropped (WHATWG WebSocketStream: a message
 * is enqueued only while the ready state is OPEN), so nothing grows meanwhile.
 */
export class ViewFeed {
  private held = false;
  private closing = false;
  /** How the connection closed, once it has. */
  readonly ended: Promise<CloseDetails>;

  constructor(
    connection: Connection,
    private readonly readHold: ReadHold,
    listener: ViewListener,
  ) {
    connection.on('message', (message) => {
      if (connection.readyState === ReadyState.OPEN) listener.message(message);
    });
    connection.on('closing', () => this.stop());
    if (connection.readyState !== ReadyState.OPEN) this.closing = true;
    const done = connection.closeInfo;
    this.ended = new Promise((resolve) => {
      const end = (details: CloseDetails): void => {
        this.stop();
        listener.closed(details);
        resolve(details);
      };
      if (done) queueMicrotask(() => end(done));
      else connection.once('close', () => end(connection.closeInfo!));
    });
  }

  /** The reader is behind: stop reading the socket (unless the connection is closing). */
  behind(): void {
    if (this.held || this.closing) return;
    this.held = true;
    this.readHold.hold();
  }

  /** The reader wants more: read the socket again. */
  caughtUp(): void {
    if (!this.held) return;
    this.held = false;
    this.readHold.release();
  }

  private stop(): void {
    this.closing = true;
    this.caughtUp();
  }
}
