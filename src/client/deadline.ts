import { HandshakeError } from '../handshake/handshake-error.js';

/** The error of an opening handshake that took longer than `handshakeTimeout`. */
export function handshakeTimeoutError(ms: number): HandshakeError {
  return new HandshakeError(0, 'WS_ERR_HANDSHAKE_TIMEOUT', `Opening handshake timed out after ${ms} ms`);
}

/** An AbortError as Node's own APIs reject with (`name` 'AbortError', `code` 'ABORT_ERR'). */
export function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/**
 * One bound for an opening handshake that takes several steps (a proxy tunnel, TLS, an
 * HTTP/2 session, then the request): its `signal` aborts with a timeout HandshakeError
 * once `ms` have passed, or with an AbortError when the caller's signal aborts.
 */
export class HandshakeDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: () => void;

  /** `endsAt` (in `Date.now()` terms), when the handshake began earlier (a redirect); the error still names `ms`. */
  constructor(
    readonly ms: number,
    private readonly callerSignal?: AbortSignal,
    endsAt = Date.now() + ms,
  ) {
    this.timer = setTimeout(() => this.controller.abort(handshakeTimeoutError(ms)), Math.max(1, endsAt - Date.now()));
    this.onCallerAbort = () => this.controller.abort(abortError(callerSignal?.reason));
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `promise`, or the deadline's error if it comes first. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
