import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
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
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  HandshakeError,
  readUpgradeRequest,
  rejectSocket,
  selectProtocol,
  validateUpgradeRequest,
  type UpgradeRequestInfo,
} from '../handshake/index.js';
import type { Transport } from '../connection/options.js';
import { acceptStream, respondError, type Negotiated } from './http2-upgrade.js';
import {
  SERVER_CLOSE_SCHEMA,
  validateServerOptions,
  type ServerCloseOptions,
  type ServerOptions,
  type UpgradeRequestView,
  type VerifyClientInfo,
} from './options.js';
import { notFound, pathOf } from './request-path.js';
import { attachRoute } from './upgrade-router.js';
import type { SendOptions } from '../connection/connection.js';
import type { SlowSubscriberInfo } from '../topics/options.js';
import { TopicHub, type TopicListener } from '../topics/topic-hub.js';
import type { BinaryData } from '../transforms/records.js';
import { Admission, DEFAULT_MAX_CONNECTIONS } from './admission.js';
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
  /** A published message found a subscriber over `maxBackpressure`: it was skipped, or the subscriber is being closed (`onBackpressure`). */
  slowSubscriber: [connection: Connection, info: SlowSubscriberInfo];
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
  /** Why listening failed, for a listen() that comes after the failure. */
  private listenError: Error | null = null;
  private readonly topics: TopicHub;
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
    // Once nothing else can throw: the broker is attached to this server for good.
    this.topics = new TopicHub(options, (connection, info) => this.emit('slowSubscriber', connection, info));
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
      // The TLS handshake comes before the request head: the same bound applies to it, not
      // Node's 120 s, unless the caller's tls options set their own.
      const tls = options.tls && { handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, ...options.tls };
      const listener = tls ? createTlsServer(tls, accept) : createNetServer(accept);
      // On a handshake timeout Node only emits 'tlsClientError' and keeps the socket open:
      // a peer that never sends a ClientHello would be held forever.
      if (tls) listener.on('tlsClientError', destroyTlsClient);
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
    if (this.listenError) return Promise.reject(this.listenError);
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
      const path = pathOf(request.url);
      if (this.path !== undefined && path !== this.path) throw notFound(path);
      info = validateUpgradeRequest(request);
    } catch (error) {
      this.refuse(socket, error as Error, request);
      return;
    }
    this.verify(
      { request, origin: info.origin, secure: socket instanceof TLSSocket },
      () => this.complete(request, socket, head, info, callback),
      (error) => this.refuse(socket, error, request),
    );
  }

  /**
   * Completes the handshake for an HTTP/2 extended CONNECT stream (RFC 8441), as an
   * attached node:http2 server's 'stream' events do: the same checks, verifyClient,
   * subprotocol and extension negotiation as on HTTP/1.1, then a 200 and a connection
   * whose `transport` is 'h2'; a refusal is an HTTP/2 error response on that stream.
   */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags = 0, callback?: (connection: Connection, request: UpgradeRequestView) => void): void {
    // A stream counts against `maxConnections` like a socket: a 503 on it beyond.
    const full = this.admission.enter(stream, this.connections.size);
    if (full) {
      respondError(stream, full);
      this.reportRefusal(full, null);
      return;
    }
    stream.once('close', () => this.admission.leave(stream)); // however the handshake ends
    acceptStream(stream, headers, flags, {
      path: this.path,
      closing: this.closed !== null,
      verify: (info, accept, refuse) => this.verify(info, accept, refuse),
      negotiate: (offers, request) => this.negotiate(offers, request),
      responseHeaders: (request) => this.options.headers?.(request),
      open: (socket, negotiated) => {
        this.admission.leave(stream);
        return this.openConnection(socket, negotiated, { transport: 'h2' });
      },
      adopt: (connection, request) => this.adopt(connection, request, callback),
      refused: (error, request) => {
        this.admission.leave(stream);
        this.reportRefusal(error, request);
      },
    });
  }

  /** Runs `verifyClient` (sync or async) when there is one: `accept`, or `refuse` with the status to answer. */
  private verify(info: VerifyClientInfo, accept: () => void, refuse: (error: Error) => void): void {
    const verify = this.options.verifyClient;
    if (!verify) {
      accept();
      return;
    }
    Promise.resolve()
      .then(() => verify(info))
      .then((verdict) => {
        if (verdict === true) accept();
        else {
          const status = verdict === false ? 401 : verdict.status;
          const reason = verdict === false ? 'Unauthorized' : (verdict.reason ?? 'Refused');
          refuse(new HandshakeError(status, 'WS_ERR_HANDSHAKE_REFUSED', reason));
        }
      }, refuse);
  }

  /**
   * Publishes a message to every connection subscribed to `topic` (`connection.subscribe()`)
   * and to the server-side listeners (`subscribe()`), here and, with a `broker`, in every
   * other process: text for a string, binary for bytes, `options` as `send()`'s. The
   * message is framed (and compressed, where subscribers agreed on the same parameters
   * without context takeover) once, and the same bytes go to every subscriber. Returns how
   * many connections here it was written to: not those closing, nor slow subscribers
   * (`maxBackpressure`).
   */
  publish(topic: string, data: string | BinaryData, options?: SendOptions): number {
    return this.topics.publishMessage(topic, data, options);
  }

  /**
   * Listens to `topic` on the server side: `listener` gets every message published to it,
   * here or (with a broker) elsewhere. Returns the function that stops listening.
   */
  subscribe(topic: string, listener: TopicListener): () => void {
    return this.topics.listen(topic, listener);
  }

  /** How many connections here are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.topics.subscriberCount(topic);
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
    // After the connections: what their 'close' listeners publish still goes to the other processes.
    await this.topics.close();
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
      const negotiated = this.negotiate(info, request);
      const response = buildAcceptResponse({
        key: info.key,
        protocol: negotiated.protocol,
        extensions: negotiated.header,
        headers: this.options.headers?.(request),
      });
      // Everything that can fail runs before the 101: after it, only frames may follow.
      connection = this.openConnection(socket, negotiated, { head, transport: 'http/1.1' });
      socket.off('error', noop);
      socket.write(response);
    } catch (error) {
      this.refuse(socket, error as Error, request);
      return;
    }
    this.adopt(connection, request, callback);
  }

  /** The subprotocol and extensions to agree on (RFC 6455 §4.2.2, §9.1), the same over both transports. */
  private negotiate(offers: Pick<UpgradeRequestInfo, 'protocols' | 'extensions'>, request: UpgradeRequestView): Negotiated {
    const protocol = selectProtocol(offers.protocols, this.options.handleProtocols, request);
    const { header, agreed } = negotiateExtensions(offers.extensions, this.extensions);
    return { protocol, header, agreed };
  }

  private openConnection(socket: Duplex, negotiated: Negotiated, carrier: { head?: Buffer; transport: Transport }): Connection {
    return new Connection(socket, {
      ...this.options,
      role: 'server',
      protocol: negotiated.protocol ?? '',
      extensions: negotiated.header ?? '',
      extensionStages: negotiated.agreed.map((entry) => entry.stages),
      stages: placeStages(this.options.stages, negotiated.agreed.map((entry) => entry.extension.name)),
      idleTimeout: this.options.idleTimeout ?? DEFAULT_SERVER_IDLE_TIMEOUT_MS,
      messageMemory: this.messageMemory,
      topics: this.topics.join,
      ...carrier,
    });
  }

  private adopt(connection: Connection, request: UpgradeRequestView, callback?: (connection: Connection, request: UpgradeRequestView) => void): void {
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
    if (!this.listener!.listening) this.listenError = error;
    const waiters = this.listenWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(error);
    if (this.listenerCount('error') > 0 || waiters.length === 0) this.emit('error', error);
  }

  private refuse(socket: Duplex, error: Error, request: UpgradeRequestView | null): void {
    this.admission.leave(socket);
    rejectSocket(socket, error);
    this.reportRefusal(error, request);
  }

  private reportRefusal(error: Error, request: UpgradeRequestView | null): void {
    if (this.listenerCount('handshakeError') > 0) this.emit('handshakeError', error, request);
  }
}

function noop(): void {}

/** A TLS client whose handshake failed or timed out: nothing more can come of it. */
function destroyTlsClient(_error: Error, socket: Duplex): void {
  socket.destroy();
}

/** Creates a {@link WebSocketServer}; see {@link ServerOptions}. */
export function createServer(options: ServerOptions = {}, onConnection?: (connection: Connection, request: UpgradeRequestView) => void): WebSocketServer {
  const server = new WebSocketServer(options);
  if (onConnection) server.on('connection', onConnection);
  return server;
}

