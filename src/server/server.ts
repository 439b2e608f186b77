import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { CloseCode } from '../close-codes.js';
import { checkStages, placeStages } from '../connection/chains.js';
import { Connection } from '../connection/connection.js';
import type { Extension } from '../extensions/extension.js';
import { resolveExtensions } from '../extensions/resolve.js';
import { negotiateExtensions } from '../handshake/extension-negotiation.js';
import { ReadyState } from '../connection/ready-state.js';
import {
  buildAcceptResponse,
  HandshakeError,
  readUpgradeRequest,
  rejectSocket,
  selectProtocol,
  validateUpgradeRequest,
} from '../handshake/index.js';
import { SERVER_CLOSE_SCHEMA, validateServerOptions, type ServerCloseOptions, type ServerOptions, type UpgradeRequestView } from './options.js';
import { Admission, DEFAULT_MAX_CONNECTIONS } from './admission.js';
import { attachRoute, pathOf } from './upgrade-router.js';
import { DEFAULT_SERVER_IDLE_TIMEOUT_MS } from '../connection/idle-timeout.js';
import { MemoryBudget } from '../transforms/memory-budget.js';
import { validateOptions } from '../validation/schema.js';

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
  /** The path this server serves (others get 404), or undefined for every path. */
  readonly path: string | undefined;
  private readonly options: ServerOptions;
  /** What this server negotiates, in order: `perMessageDeflate` first, then `extensions`. */
  private readonly extensions: readonly Extension[];
  private readonly listener: NetServer | null = null;
  private readonly attached: HttpServer | null = null;
  private readonly detach: (() => void) | null = null;
  private readonly listenWaiters: Array<{ resolve: (address: AddressInfo) => void; reject: (error: Error) => void }> = [];
  private closed: Promise<void> | null = null;
  private readonly admission: Admission;
  /** Removes a closed connection: one function for all of them (a closure each cost memory per connection). */
  private readonly forget: (this: Connection) => void;
  /** What unfinished incoming messages of all its connections may hold together (`reserved` is in use now). */
  readonly messageMemory: MemoryBudget;

  constructor(options: ServerOptions = {}) {
    super();
    validateServerOptions(options);
    this.extensions = resolveExtensions(options, 'server');
    checkStages(options.stages, this.extensions.map((extension) => extension.name));
    this.options = options;
    this.path = options.path;
    this.admission = new Admission(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    const connections = this.connections;
    this.forget = function (this: Connection) {
      connections.delete(this);
    };
    this.messageMemory = options.messageMemory ?? new MemoryBudget(options.maxMessageMemory);
    if (options.server) {
      this.attached = options.server as HttpServer;
      this.detach = attachRoute(this.attached, this);
    } else if (!options.noServer) {
      const accept = (socket: Socket): void => this.acceptSocket(socket);
      const listener = options.tls ? createTlsServer(options.tls, accept) : createNetServer(accept);
      listener.on('error', (error) => this.onListenerError(error));
      listener.on('listening', () => this.onListening());
      // Port and host as given; options left out are not passed as undefined.
      listener.listen({ port: options.port ?? 0, ...(options.host !== undefined && { host: options.host }), ...(options.backlog !== undefined && { backlog: options.backlog }) });
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
   * Resolves with the address once the server listens — its own listener, or the http
   * server it is attached to — and rejects if listening fails (EADDRINUSE...). A server
   * created with `port` starts listening at once; this only waits for it.
   */
  listen(): Promise<AddressInfo> {
    const source = this.listener ?? this.attached;
    if (!source) return Promise.reject(new TypeError('A noServer WebSocketServer does not listen: its owner does'));
    if (source.listening) return Promise.resolve(source.address() as AddressInfo);
    return new Promise((resolve, reject) => {
      if (this.listener) {
        this.listenWaiters.push({ resolve, reject });
        return;
      }
      const onListening = (): void => {
        source.off('error', onError);
        resolve(source.address() as AddressInfo);
      };
      const onError = (error: Error): void => {
        source.off('listening', onListening);
        reject(error);
      };
      source.once('listening', onListening);
      source.once('error', onError);
    });
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
    if (this.closed) {
      this.refuse(socket, new HandshakeError(503, 'WS_ERR_HANDSHAKE_REFUSED', 'Server is closing'), request);
      return;
    }
    const full = this.admission.enter(socket, this.connections.size);
    if (full) {
      this.refuse(socket, full, request);
      return;
    }
    let info: ReturnType<typeof validateUpgradeRequest>;
    try {
      if (this.path !== undefined && pathOf(request.url) !== this.path) {
        throw new HandshakeError(404, 'WS_ERR_HANDSHAKE_REFUSED', `No WebSocket endpoint at ${pathOf(request.url)}`);
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

  /**
   * Stops accepting, closes every connection with 1001 (going away), and settles once all
   * of them have closed and the listener has stopped; then emits 'close'. A peer that
   * does not answer holds its connection up to `closeTimeout`; `{ timeout }` bounds the
   * whole wait: what is still open then is terminated. Calling it again returns the same
   * promise. `callback` (the Node style) is called when it settles.
   */
  close(callback?: (error?: Error) => void): Promise<void>;
  close(options: ServerCloseOptions, callback?: (error?: Error) => void): Promise<void>;
  close(first?: ServerCloseOptions | ((error?: Error) => void), second?: (error?: Error) => void): Promise<void> {
    const options = typeof first === 'function' ? {} : (first ?? {});
    const callback = typeof first === 'function' ? first : second;
    validateOptions(options, SERVER_CLOSE_SCHEMA);
    if (callback !== undefined && typeof callback !== 'function') throw new TypeError('The close callback must be a function');
    this.closed ??= this.shutDown(options);
    if (callback) this.closed.then(() => callback(), callback);
    return this.closed;
  }

  private async shutDown(options: ServerCloseOptions): Promise<void> {
    this.detach?.();
    const code = options.code ?? CloseCode.GOING_AWAY;
    const reason = options.reason ?? 'server shutting down';
    const closes = [...this.connections].map((connection) => {
      if (connection.readyState === ReadyState.CLOSED) return Promise.resolve();
      const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
      connection.close(code, reason);
      return closed;
    });
    const listenerClosed = this.listener ? new Promise<void>((resolve) => this.listener!.close(() => resolve())) : Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    if (options.timeout !== undefined) {
      const ms = options.timeout;
      timer = setTimeout(() => {
        for (const connection of this.connections) connection.terminate();
      }, ms);
    }
    await Promise.all([...closes, listenerClosed]);
    clearTimeout(timer);
    this.emit('close');
  }

  private complete(
    request: UpgradeRequestView,
    socket: Duplex,
    head: Buffer,
    info: ReturnType<typeof validateUpgradeRequest>,
    callback?: (connection: Connection, request: UpgradeRequestView) => void,
  ): void {
    // From here on it is a connection (counted in `connections`) or nothing.
    this.admission.leave(socket);
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    let connection: Connection;
    try {
      const protocol = selectProtocol(info.protocols, this.options.handleProtocols, request);
      const { header, agreed } = negotiateExtensions(info.extensions, this.extensions);
      const response = buildAcceptResponse({
        key: info.key,
        protocol,
        extensions: header,
        headers: this.options.headers?.(request),
      });
      // Everything that can fail runs before the 101 goes out: after it, only frames may follow.
      connection = new Connection(socket, {
        ...this.options,
        role: 'server',
        idleTimeout: this.options.idleTimeout ?? DEFAULT_SERVER_IDLE_TIMEOUT_MS,
        messageMemory: this.messageMemory,
        protocol: protocol ?? '',
        extensions: header ?? '',
        extensionStages: agreed.map((entry) => entry.stages),
        stages: placeStages(this.options.stages, agreed.map((entry) => entry.extension.name)),
        head,
      });
      socket.off('error', noop);
      socket.write(response);
    } catch (error) {
      this.refuse(socket, error as Error, request);
      return;
    }
    this.connections.add(connection);
    connection.on('close', this.forget);
    callback?.(connection, request);
    this.emit('connection', connection, request);
  }

  private onListening(): void {
    const address = this.listener!.address() as AddressInfo;
    for (const waiter of this.listenWaiters.splice(0)) waiter.resolve(address);
    this.emit('listening');
  }

  /** A listen error rejects `listen()`; it is also emitted when someone listens for it, or nobody awaited. */
  private onListenerError(error: Error): void {
    const waiters = this.listenWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(error);
    if (this.listenerCount('error') > 0 || waiters.length === 0) this.emit('error', error);
  }

  private refuse(socket: Duplex, error: Error, request: UpgradeRequestView | null): void {
    this.admission.leave(socket);
    rejectSocket(socket, error);
    if (this.listenerCount('handshakeError') > 0) this.emit('handshakeError', error, request);
  }
}

function noop(): void {}

/** Creates a {@link WebSocketServer}; see {@link ServerOptions}. */
export function createServer(options: ServerOptions = {}, onConnection?: (connection: Connection, request: UpgradeRequestView) => void): WebSocketServer {
  const server = new WebSocketServer(options);
  if (onConnection) server.on('connection', onConnection);
  return server;
}

