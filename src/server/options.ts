import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { OutgoingHttpHeaders, PerMessageDeflateOptions, ProtocolChooser } from '../handshake/index.js';
import type { ConnectionOptions } from '../connection/options.js';

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
export type ServerConnectionOptions = Omit<ConnectionOptions, 'role' | 'protocol' | 'extensions' | 'deflate' | 'head'>;

export interface ServerOptions extends ServerConnectionOptions {
  /** Listen on this port (0 for any). Leave out with `server` or `noServer`. */
  port?: number;
  /** The interface to listen on; like net, all interfaces when left out. */
  host?: string;
  backlog?: number;
  /** Listen with TLS (wss://) using these options. */
  tls?: TlsOptions;
  /** Attach to an existing http/https server's 'upgrade' event. */
  server?: HttpServer | HttpsServer;
  /** Neither listen nor attach: call `handleUpgrade()` or `acceptSocket()` yourself. */
  noServer?: boolean;
  /** Accept upgrades on this path only (others get 400). */
  path?: string;
  /** Pick the subprotocol: a function, or the list the server supports. Default: the client's first. */
  handleProtocols?: ProtocolChooser<UpgradeRequestView> | readonly string[];
  /** Accept or refuse a client before the handshake completes (origin checks, auth). */
  verifyClient?: VerifyClient;
  /** Extra headers for the 101 response (Set-Cookie, ...). */
  headers?: (request: UpgradeRequestView) => OutgoingHttpHeaders | undefined;
  /** permessage-deflate: off by default; true or options to accept it. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Bare sockets only: most bytes of request head. Default 16 KiB (then 431). */
  maxHeaderBytes?: number;
  /** Bare sockets only: most header lines. Default 100 (then 431). */
  maxHeaderCount?: number;
  /** Bare sockets only: ms for the request head to arrive. Default 10 s (then 408). */
  handshakeTimeout?: number;
}
