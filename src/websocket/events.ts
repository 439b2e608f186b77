/**
 * The WebSocket event types that Node 20 lacks as globals (it has Event and
 * MessageEvent, not CloseEvent or ErrorEvent): CloseEvent as in the WHATWG WebSockets
 * standard, ErrorEvent as in the HTML standard, with their WebIDL argument conversions.
 */
import { requireArguments, toDictionary, toDOMString, toUnsigned, toUSVString } from '../validation/webidl.js';

/** Node's EventInit (bubbles, cancelable, composed), which @types/node does not name globally. */
type BaseEventInit = NonNullable<ConstructorParameters<typeof Event>[1]>;

export interface CloseEventInit extends BaseEventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

export class CloseEvent extends Event {
  readonly #code: number;
  readonly #reason: string;
  readonly #wasClean: boolean;

  constructor(type: string, init?: CloseEventInit | null) {
    requireArguments(arguments.length, 1, "Failed to construct 'CloseEvent'");
    const dict = toDictionary(init, "Failed to construct 'CloseEvent': The provided value");
    super(toDOMString(type), dict);
    // CloseEventInit: unsigned short code = 0; USVString reason = ""; boolean wasClean = false.
    this.#code = dict.code === undefined ? 0 : toUnsigned(dict.code, 16);
    this.#reason = dict.reason === undefined ? '' : toUSVString(dict.reason);
    this.#wasClean = Boolean(dict.wasClean);
  }

  /** The close code the peer sent (1005 for none), or 1006 when no close frame was received. */
  get code(): number {
    return this.#code;
  }

  /** The reason in the peer's close frame, or ''. */
  get reason(): string {
    return this.#reason;
  }

  /** Whether both close frames were exchanged before the TCP connection closed. */
  get wasClean(): boolean {
    return this.#wasClean;
  }
}

export interface ErrorEventInit extends BaseEventInit {
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  error?: unknown;
}

/** Browsers fire a bare Event; carrying the cause as `error` (as Node's client does) helps in Node. */
export class ErrorEvent extends Event {
  readonly #message: string;
  readonly #filename: string;
  readonly #lineno: number;
  readonly #colno: number;
  readonly #error: unknown;

  constructor(type: string, init?: ErrorEventInit | null) {
    requireArguments(arguments.length, 1, "Failed to construct 'ErrorEvent'");
    const dict = toDictionary(init, "Failed to construct 'ErrorEvent': The provided value");
    super(toDOMString(type), dict);
    // ErrorEventInit: DOMString message = ""; USVString filename = ""; unsigned long lineno = 0, colno = 0; any error.
    this.#message = dict.message === undefined ? '' : toDOMString(dict.message);
    this.#filename = dict.filename === undefined ? '' : toUSVString(dict.filename);
    this.#lineno = dict.lineno === undefined ? 0 : toUnsigned(dict.lineno, 32);
    this.#colno = dict.colno === undefined ? 0 : toUnsigned(dict.colno, 32);
    this.#error = dict.error;
  }

  get message(): string {
    return this.#message;
  }

  get filename(): string {
    return this.#filename;
  }

  get lineno(): number {
    return this.#lineno;
  }

  get colno(): number {
    return this.#colno;
  }

  get error(): unknown {
    return this.#error;
  }
}
