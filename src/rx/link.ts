import type { SchedulerLike, Subscription } from 'rxjs';
import type { ConnectOptions } from '../client/connect.js';
import type { Connection } from '../connection/connection.js';
import type { DataMessage } from '../transforms/records.js';
import { connect } from '../client/connect.js';
import { toError } from '../errors.js';
import { backoffDelay, type ReconnectPolicy } from './backoff.js';
import { CloseError, isNormalClose, type CloseInfo } from './close-info.js';
import type { ConnectionState } from './state.js';

export interface LinkEvents {
  state(state: ConnectionState): void;
  open(connection: Connection): void;
  message(message: DataMessage): void;
  /** A deliberate close is about to start: the last chance to flush. */
  closing(): void;
  close(info: CloseInfo): void;
  /** The link is over for good: null for a normal end, else why. */
  end(error: Error | null): void;
}

/** A deliberate stop; `graceful` waits for a pending attempt to open (and flushes) instead of abandoning it. */
export interface StopRequest {
  code: number;
  reason: string;
  graceful: boolean;
}

/**
 * One session of a `connect$` subject: connects, reconnects by its policy after closes
 * and failures it did not ask for, and ends when stopped or out of retries. It knows
 * nothing of subscribers or buffers; it reports what happens.
 */
export class Link {
  state: ConnectionState = 'closed';
  connection: Connection | null = null;
  stopping: StopRequest | null = null;
  private controller: AbortController | null = null;
  private retryTimer: Subscription | null = null;
  private retries = 0;
  private openedAt = 0;
  /** Why the current connection is being dropped by us, to report instead of its close. */
  private dropCause: Error | null = null;
  private ended = false;

  constructor(
    private readonly url: string | URL,
    private readonly options: ConnectOptions,
    private readonly policy: ReconnectPolicy | null,
    private readonly scheduler: SchedulerLike,
    private readonly events: LinkEvents,
  ) {}

  start(): void {
    this.attempt();
  }

  /** Closes (or abandons) deliberately: no reconnection follows. */
  stop(request: StopRequest): void {
    if (this.stopping || this.ended) return;
    this.stopping = request;
    if (this.state === 'reconnecting') {
      this.retryTimer?.unsubscribe();
      this.retryTimer = null;
      this.finish(null);
    } else if (this.state === 'connecting') {
      if (!request.graceful) this.controller?.abort();
    } else if (this.state === 'open') {
      this.beginClose();
    }
  }

  /** Fails the current connection (or attempt) without stopping: the policy decides what follows. */
  drop(code: number, reason: string, cause: Error): void {
    if (this.stopping || this.ended) return;
    this.dropCause = cause;
    if (this.state === 'connecting') this.controller?.abort();
    else if (this.state === 'open' && this.connection) {
      this.setState('closing');
      this.connection.close(code, reason);
    }
  }

  private attempt(): void {
    this.retryTimer = null;
    this.dropCause = null;
    this.setState('connecting');
    const controller = new AbortController();
    this.controller = controller;
    connect(this.url, { ...this.options, signal: controller.signal }).then(
      (connection) => {
        this.controller = null;
        this.opened(connection);
      },
      (error: unknown) => {
        this.controller = null;
        this.failed(toError(error));
      },
    );
  }

  private opened(connection: Connection): void {
    if (this.dropCause) {
      // Dropped while the handshake finished: treat as a failed attempt.
      connection.terminate();
      this.failed(this.dropCause);
      return;
    }
    this.connection = connection;
    this.openedAt = this.scheduler.now();
    connection.on('message', this.onMessage);
    connection.once('close', this.onClose);
    this.setState('open');
    this.events.open(connection);
    if (this.stopping && this.state === 'open') this.beginClose();
  }

  private readonly onMessage = (message: DataMessage): void => {
    this.events.message(message);
  };

  private readonly onClose = (code: number, reason: string, wasClean: boolean): void => {
    this.connection?.off('message', this.onMessage);
    this.connection = null;
    const info: CloseInfo = { code, reason, wasClean };
    this.events.close(info);
    if (this.stopping) {
      this.finish(null);
      return;
    }
    if (this.scheduler.now() - this.openedAt >= (this.policy?.resetAfter ?? Infinity)) this.retries = 0;
    this.retryOrEnd(info, this.dropCause ?? (isNormalClose(info) ? null : new CloseError(info)));
  };

  private failed(error: Error): void {
    if (this.stopping) this.finish(null);
    else this.retryOrEnd(error, this.dropCause ?? error);
  }

  private retryOrEnd(cause: CloseInfo | Error, error: Error | null): void {
    const policy = this.policy;
    if (policy && this.retries < policy.maxRetries && policy.shouldReconnect(cause)) {
      const delay = backoffDelay(this.retries++, policy);
      this.setState('reconnecting');
      this.retryTimer = this.scheduler.schedule(() => this.attempt(), delay);
      return;
    }
    this.finish(error);
  }

  private beginClose(): void {
    this.setState('closing');
    this.events.closing();
    const { code, reason } = this.stopping!;
    this.connection?.close(code, reason);
  }

  private finish(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.setState('closed');
    this.events.end(error);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.events.state(state);
  }
}
