import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { OutgoingHttpHeaders, ProtocolChooser } from '../handshake/index.js';
import { isValidWireCloseCode } from '../close-codes.js';
import { EXTENSION_OPTIONS_SCHEMA, type ExtensionOptions } from '../extensions/resolve.js';
import { CONNECTION_OPTIONS_SCHEMA, type ConnectionOptions } from '../connection/options.js';
import { isToken } from '../handshake/http-syntax.js';
import { MAX_CLOSE_REASON_BYTES } from '../transforms/close-frame.js';
import { perMessageDeflateSchema } from '../transforms/deflate/parameters.js';
import { TOPIC_OPTIONS_SCHEMA, type TopicOptions } from '../topics/options.js';
import {
  arrayOf,
  boolean,
  either,
  func,
  integer,
  milliseconds,
  object,
  rangeError,
  string,
  validateOptions,
  withMethods,
  type Check,
  optionTypeError,
  type Schema,
} from '../validation/schema.js';

/** The request as the server sees it: node:http's IncomingMessage fits, and so does a request read from a bare socket. */
export interface UpgradeRequestView {
  method?: string | undefined;
  url?: string | undefined;
  httpVersion: string;
  headers: IncomingHttpHeaders;
}

export interface VerifyClientInfo {
  request: UpgradeRequestView;
  origin: string | undefined;
  /** Whether the socket is TLS. */
  secure: boolean;
}

/** Accept with true; refuse with false (401) or with a status and reason. */
export type VerifyClientResult = boolean | { status: number; reason?: string };

export type VerifyClient = (info: VerifyClientInfo) => VerifyClientResult | Promise<VerifyClientResult>;

/** Connection options a server applies to every connection it accepts. */
export type ServerConnectionOptions = Omit<ConnectionOptions, 'role' | 'protocol' | 'extensions' | 'extensionStages' | 'head' | 'transport' | 'topics'>;

export interface ServerOptions extends ServerConnectionOptions, ExtensionOptions, TopicOptions {
  /** Listen on this port (0 for any). Leave out with `server` or `noServer`. */
  port?: number;
  /** The interface to listen on; like net, all interfaces when left out. */
  host?: string;
  backlog?: number;
  /** Listen with TLS (wss://) using these options. */
  tls?: TlsOptions;
  /**
   * Attach to an existing http/https server's 'upgrade' event; or to a node:http2 server's
   * WebSocket extended CONNECT streams (RFC 8441; attaching turns its enableConnectProtocol
   * setting on) and, with `allowHTTP1`, to its HTTP/1.1 upgrades too.
   */
  server?: HttpServer | HttpsServer | Http2SecureServer | Http2Server;
  /** Neither listen nor attach: call `handleUpgrade()` or `acceptSocket()` yourself. */
  noServer?: boolean;
  /** Accept upgrades on this path only (others get 404). */
  path?: string;
  /** Pick the subprotocol: a function, or the list the server supports. Default: the client's first. */
  handleProtocols?: ProtocolChooser<UpgradeRequestView> | readonly string[];
  /** Accept or refuse a client before the handshake completes (origin checks, auth). */
  verifyClient?: VerifyClient;
  /** Extra headers for the 101 response (Set-Cookie, ...). */
  headers?: (request: UpgradeRequestView) => OutgoingHttpHeaders | undefined;
  /** Bare sockets only: most bytes of request head. Default 16 KiB (then 431). */
  maxHeaderBytes?: number;
  /** Bare sockets only: most header lines. Default 100 (then 431). */
  maxHeaderCount?: number;
  /** Bare sockets only: ms for the request head to arrive. Default 10 s (then 408). */
  handshakeTimeout?: number;
  /** Most open connections, handshakes in progress included; beyond, an upgrade gets 503 before the 101. Default 50,000. */
  maxConnections?: number;
  /** Bytes that unfinished incoming messages of all connections may hold together; beyond, 1013. Default 512 MiB. */
  maxMessageMemory?: number;
}

/** The checks of every server option, run by the constructor. */
export const SERVER_SCHEMA: Schema = {
  ...CONNECTION_OPTIONS_SCHEMA,
  port: integer(0, 65535),
  host: string(),
  backlog: integer(0, 2 ** 31 - 1),
  tls: object({}, 'an object of TLS options (tls.createServer)'),
  server: withMethods('an http, https or http2 server', 'on', 'off', 'address'),
  noServer: boolean,
  path: string((path) => path.startsWith('/'), 'a path starting with "/"'),
  handleProtocols: either(func, arrayOf(string(isToken, 'a subprotocol token'))),
  verifyClient: func,
  headers: func,
  perMessageDeflate: either(boolean, object(perMessageDeflateSchema('server'))),
  ...EXTENSION_OPTIONS_SCHEMA,
  ...TOPIC_OPTIONS_SCHEMA,
  maxHeaderBytes: integer(1),
  maxHeaderCount: integer(1),
  handshakeTimeout: milliseconds(1),
  maxConnections: integer(0, Infinity),
  maxMessageMemory: integer(0, Infinity),
};

/** Checks `options` at the call: every option's type and range, and that they fit together. */
export function validateServerOptions(options: ServerOptions): void {
  validateOptions(options, SERVER_SCHEMA);
  const given = (['port', 'server', 'noServer'] as const).filter((name) => options[name] !== undefined && options[name] !== false);
  if (given.length > 1) {
    throw optionTypeError(`Give one of the "port", "server" and "noServer" options, not ${given.map((name) => `"${name}"`).join(' and ')}`);
  }
  if (options.tls !== undefined && (options.server !== undefined || options.noServer === true)) {
    throw optionTypeError('The "tls" option is for a server that listens itself; an attached server brings its own TLS');
  }
}

/** Options of `server.close()`. */
export interface ServerCloseOptions {
  /** Milliseconds to wait for connections to close; those still open then are terminated. Default: no bound but each connection's `closeTimeout`. */
  timeout?: number;
  /** The close code sent to every connection. Default 1001 (going away). */
  code?: number;
  /** The close reason. Default 'server shutting down'. */
  reason?: string;
}

/** RFC 6455 §7.4: 1004-1006 and 1015 are reserved and 1016-2999 unassigned; they may not be sent. */
const SENDABLE_CLOSE_CODE = 'a close code that may be sent: 1000-1003, 1007-1014 or 3000-4999';
const sendableCloseCode: Check = {
  accepts: SENDABLE_CLOSE_CODE,
  typeOk: (value) => typeof value === 'number',
  check(value, path) {
    if (!Number.isInteger(value) || !isValidWireCloseCode(value as number)) throw rangeError(path, SENDABLE_CLOSE_CODE, value);
  },
};

export const SERVER_CLOSE_SCHEMA: Schema = {
  timeout: milliseconds(0),
  // Checked here, at the call: a code or reason no close frame can carry would otherwise
  // fail inside the shutdown, after it started, and reject the promise every caller shares.
  code: sendableCloseCode,
  reason: string((reason) => Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES, `a string of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes`),
};
