/**
 * The WebSocket event types that Node 20 lacks as globals (it has Event and
 * MessageEvent, not CloseEvent or ErrorEvent). Shaped as in the WHATWG HTML spec.
 */

/** Node's EventInit (bubbles, cancelable, composed), which @types/node does not name globally. */
type BaseEventInit = NonNullable<ConstructorParameters<typeof Event>[1]>;

export interface CloseEventInit extends BaseEventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: CloseEventInit = {}) {
    super(type, init);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

export interface ErrorEventInit extends BaseEventInit {
  message?: string;
  error?: unknown;
}

/** Browsers fire a bare Event; carrying the cause as `error` (as undici does) helps in Node. */
export class ErrorEvent extends Event {
  readonly message: string;
  readonly error: unknown;

  constructor(type: string, init: ErrorEventInit = {}) {
    super(type, init);
    this.message = init.message ?? '';
    this.error = init.error;
  }
}
