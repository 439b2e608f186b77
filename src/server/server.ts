import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { CloseCode } from '../close-codes.js';
import { Connection } from '../connection/connection.js';
import { ReadyState } from '../connection/ready-state.js';
import {
  acceptDeflateOffer,
  buildAcceptResponse,
  HandshakeError,
  readUpgradeRequest,
  rejectSocket,
  selectProtocol,
  validateUpgradeRequest,
} from '../handshake/index.js';
import { validateServerOptions, type ServerOptions, type UpgradeRequestView } from './options.js';

export interface ServerEvents {
  listening: [];
  connection: [connection: Connection, request: UpgradeRequestView];
  /** A handshake that was refused or failed; the socket has been answered and closed. */
  handshakeError: [error: Error, request: UpgradeRequestView | null];
  error: [error: Error];
  close: [];
}

/**
 * A WebSocket server. It listens by itself on a bare TCP (or TLS) socket, reading the
 * upgrade request with strict size and time limits; or attaches to an existing
 * http/https server's `upgrade` event; or, with `noServer`, leaves both to the caller
 * (`handleUpgrade()` for frameworks, `acceptSocket()` for bare sockets).
 */
export class WebSocketServer extends EventEmitter<ServerEvents> {
  readonly connections = new Set<Connection>();
  private readonly options: ServerOptions;
  private readonly listener: NetServer | null = null;
  private readonly attached: HttpServer | null = null;
  private readonly onUpgrade = (request: UpgradeRequestView & { socket?: unknown }, socket: Duplex, head: Buffer): void => {
    this.handleUpgrade(request, socket, head);
  };
  private closing = false;

  constructor(options: ServerOptions = {}) {
    super();
    validateServerOptions(options);
    this.options = options;
    if (options.server) {
      this.attached = options.server as HttpServer;
      this.attached.on('upgrade', this.onUpgrade);
    } else if (!options.noServer) {
      const accept = (socket: Socket): void => this.acceptSocket(socket);
      const listener = options.tls ? createTlsServer(options.tls, accept) : createNetServer(accept);
      listener.on('error', (error) => this.emit('error', error));
      listener.on('listening', () => this.emit('listening'));
      listener.listen(options.port ?? 0, options.host, options.backlog);
      this.listener = listener;
    }
  }

  /** Whether the server is listening (false when attached or noServer: the owner listens). */
  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  address(): AddressInfo | string | null {
    return (this.listener ?? this.attached)?.address() ?? null;
  }

  /**
   * Accepts a bare socket (from net or tls): reads the upgrade request with the size,
   * count and time limits, then completes the handshake. Bad or slow requests get an
   * HTTP error and the socket is closed.
   */
  acceptSocket(socket: Duplex, callback?: (connection: Connection, request: UpgradeRequestView) => void): void {
    socket.on('error', noop);
    readUpgradeRequest(socket, {
      maxHeaderBytes: this.options.maxHeaderBytes,
      maxHeaderCount: this.options.maxHeaderCount,
      timeout: this.options.handshakeTimeout,
    }).then(
      (request) => {
        socket.off('error', noop);
        this.handleUpgrade(request, socket, request.head, callback);
      },
      (error: Error) => this.refuse(socket, error, null),
    );
  }

  /**
   * Completes the handshake for an upgrade request that an HTTP server (or framework)
   * already parsed. On success `callback` and the `'connection'` event get the open
   * connection; on failure the socket is answered with an HTTP error and closed.
   */
  handleUpgrade(
    request: UpgradeRequestView,
    socket: Duplex,
    head: Buffer,
    callback?: (connection: Connection, request: UpgradeRequestView) => void,
  ): void {
    socket.on('error', noop);
    if (this.closing) {
      this.refuse(socket, new HandshakeError(503, 'WS_ERR_HANDSHAKE_REFUSED', 'Server is closing'), request);
      return;
    }
    let info: ReturnType<typeof validateUpgradeRequest>;
    try {
      if (this.options.path !== undefined && pathOf(request.url) !== this.options.path) {
        throw new HandshakeError(400, 'WS_ERR_HANDSHAKE_REFUSED', 'Unexpected path');
      }
      info = validateUpgradeRequest(request);
    } catch (error) {
      this.refuse(socket, error as Error, request);
      return;
    }
    const verify = this.options.verifyClient;
    if (!verify) {
      this.complete(request, socket, head, info, callback);
      return;
    }
    Promise.resolve()
      .then(() => verify({ request, origin: info.origin, secure: socket instanceof TLSSocket }))
      .then(
        (verdict) => {
          if (verdict === true) this.complete(request, socket, head, info, callback);
          else {
            const status = verdict === false ? 401 : verdict.status;
            const reason = verdict === false ? 'Unauthorized' : (verdict.reason ?? 'Refused');
            this.refuse(socket, new HandshakeError(status, 'WS_ERR_HANDSHAKE_REFUSED', reason), request);
          }
        },
        (error: Error) => this.refuse(socket, error, request),
      );
  }

  /** Stops accepting, closes every connection with 1001 (going away), then emits 'close'. */
  close(callback?: () => void): void {
    if (callback) this.once('close', callback);
    if (this.closing) return;
    this.closing = true;
    this.attached?.off('upgrade', this.onUpgrade);
    let pending = 1 + this.connections.size;
    const done = (): void => {
      if (--pending === 0) this.emit('close');
    };
    for (const connection of this.connections) {
      if (connection.readyState === ReadyState.CLOSED) done();
      else {
        connection.once('close', done);
        connection.close(CloseCode.GOING_AWAY, 'server shutting down');
      }
    }
    if (this.listener) this.listener.close(() => done());
    else process.nextTick(done);
  }

  private complete(
    request: UpgradeRequestView,
    socket: Duplex,
    head: Buffer,
    info: ReturnType<typeof validateUpgradeRequest>,
    callback?: (connection: Connection, request: UpgradeRequestView) => void,
  ): void {
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    let response: string;
    let connection: Connection;
    try {
      const protocol = selectProtocol(info.protocols, this.options.handleProtocols, request);
      const deflateOptions = this.options.perMessageDeflate;
      const deflate = deflateOptions ? acceptDeflateOffer(info.extensions, deflateOptions === true ? {} : deflateOptions) : null;
      response = buildAcceptResponse({
        key: info.key,
        protocol,
        extensions: deflate?.header,
        headers: this.options.headers?.(request),
      });
      socket.off('error', noop);
      socket.write(response);
      connection = new Connection(socket, {
        ...this.options,
        role: 'server',
        protocol: protocol ?? '',
        extensions: deflate?.header ?? '',
        deflate: deflate?.negotiated ?? null,
        head,
      });
    } catch (error) {
      this.refuse(socket, error as Error, request);
      return;
    }
    this.connections.add(connection);
    connection.once('close', () => this.connections.delete(connection));
    callback?.(connection, request);
    this.emit('connection', connection, request);
  }

  private refuse(socket: Duplex, error: Error, request: UpgradeRequestView | null): void {
    rejectSocket(socket, error);
    if (this.listenerCount('handshakeError') > 0) this.emit('handshakeError', error, request);
  }
}

function noop(): void {}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Creates a {@link WebSocketServer}; see {@link ServerOptions}. */
export function createServer(options: ServerOptions = {}, onConnection?: (connection: Connection, request: UpgradeRequestView) => void): WebSocketServer {
  const server = new WebSocketServer(options);
  if (onConnection) server.on('connection', onConnection);
  return server;
}

