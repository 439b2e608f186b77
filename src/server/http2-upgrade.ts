/**
 * The server side of WebSockets over HTTP/2 (RFC 8441): extended CONNECT streams from a
 * node:http2 server, answered with 200 and run as Connections, or with an HTTP/2 error
 * response — a stream-level answer that never fails the session.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { constants, type Http2SecureServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Stream } from 'node:http2';
import type { Connection } from '../connection/connection.js';
import { adoptHttp2Stream, trackOnSession } from '../connection/http2-stream.js';
import type { AgreedExtension } from '../extensions/extension.js';
import { REJECT_LINGER_MS } from '../handshake/constants.js';
import { buildExtendedConnectResponse, isWebSocketConnect, validateExtendedConnectRequest, type ExtendedConnectInfo } from '../handshake/extended-connect.js';
import { HandshakeError } from '../handshake/handshake-error.js';
import type { OutgoingHttpHeaders } from '../handshake/http-syntax.js';
import type { UpgradeRequestView, VerifyClientInfo } from './options.js';
import { notFound, pathOf } from './request-path.js';

/** A node:http2 server, plain or secure. */
export type AnyHttp2Server = Http2Server | Http2SecureServer;

/** Whether `server` is a node:http2 server (http and https servers have no `updateSettings`). */
export function isHttp2Server(server: object): server is AnyHttp2Server {
  return typeof (server as { updateSettings?: unknown }).updateSettings === 'function';
}

/** What a route needs to take an extended CONNECT stream. */
export interface StreamRoute {
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number): void;
}

/**
 * Listens to an HTTP/2 server's streams for WebSocket extended CONNECTs and hands each to
 * the route `find` gives for its path (a 404 when there is none), after turning on
 * SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3) for the sessions to come: without it no
 * client may send one. Other streams are left to the application. Returns the detach.
 */
export function attachStreams(server: AnyHttp2Server, find: (path: string) => StreamRoute | undefined): () => void {
  server.updateSettings({ enableConnectProtocol: true });
  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number): void => {
    if (!isWebSocketConnect(headers) || stream.headersSent) return;
    const path = pathOf(headers[':path'] as string | undefined);
    const route = find(path);
    if (route) route.handleStream(stream, headers, flags);
    else respondError(stream, notFound(path));
  };
  // With a 'request' listener, node:http2's compatibility layer sees every stream too, and
  // answers a CONNECT with 405 unless someone listens for 'connect'. WebSocket streams are
  // ours; any other CONNECT gets that 405 still, unless the application listens itself.
  const onConnect = (request: Http2ServerRequest, response: Http2ServerResponse): void => {
    if (isWebSocketConnect(request.headers) || server.listenerCount('connect') > 1) return;
    response.statusCode = constants.HTTP_STATUS_METHOD_NOT_ALLOWED;
    response.end();
  };
  server.on('stream', onStream);
  server.on('connect', onConnect);
  return () => {
    server.off('stream', onStream);
    server.off('connect', onConnect);
  };
}

/** What the subprotocol and extension negotiation agreed on. */
export interface Negotiated {
  protocol: string | undefined;
  /** The Sec-WebSocket-Extensions value to answer, if any. */
  header: string | undefined;
  agreed: AgreedExtension[];
}

/** The server's side of a stream handshake: its policy, negotiation and bookkeeping. */
export interface StreamHost {
  /** The path served (others get 404), or undefined for every path. */
  readonly path: string | undefined;
  readonly closing: boolean;
  /** Runs verifyClient: `accept`, or `refuse` with the error to answer. */
  verify(info: VerifyClientInfo, accept: () => void, refuse: (error: Error) => void): void;
  negotiate(offers: ExtendedConnectInfo, request: UpgradeRequestView): Negotiated;
  responseHeaders(request: UpgradeRequestView): OutgoingHttpHeaders | undefined;
  /** A server Connection over the stream with what was agreed (may throw: then the stream is refused). */
  open(stream: ServerHttp2Stream, negotiated: Negotiated): Connection;
  /** The connection is open: count it and announce it. */
  adopt(connection: Connection, request: UpgradeRequestView): void;
  /** A refused handshake, already answered: report it. */
  refused(error: Error, request: UpgradeRequestView | null): void;
}

/**
 * RFC 8441 §4–5 on one stream: checks the extended CONNECT, runs verifyClient, negotiates
 * as on HTTP/1.1, then answers 200 and runs a Connection over the stream; any failure
 * before the 200 is an error response on this stream alone.
 */
export function acceptStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, host: StreamHost): void {
  stream.on('error', noop);
  // The view verifyClient, handleProtocols and headers get: the headers as HTTP/2 has them (:authority for Host).
  const request: UpgradeRequestView = { method: 'CONNECT', url: headers[':path'] as string | undefined, httpVersion: '2.0', headers };
  const refuse = (error: Error): void => {
    respondError(stream, error);
    host.refused(error, request);
  };
  let info: ExtendedConnectInfo;
  try {
    if (host.closing) throw new HandshakeError(503, 'WS_ERR_HANDSHAKE_REFUSED', 'Server is closing');
    const path = pathOf(request.url);
    if (host.path !== undefined && path !== host.path) throw notFound(path);
    // A request that ended its stream leaves no way to send WebSocket frames.
    if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0) throw new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_METHOD', 'The extended CONNECT ended its stream');
    info = validateExtendedConnectRequest(headers);
  } catch (error) {
    refuse(error as Error);
    return;
  }
  const complete = (): void => {
    if (stream.destroyed || stream.closed) return; // the client gave up meanwhile
    let connection: Connection;
    try {
      const negotiated = host.negotiate(info, request);
      // Everything that can fail runs before the 200: after it, only frames may follow.
      const response = buildExtendedConnectResponse({ protocol: negotiated.protocol, extensions: negotiated.header, key: info.key, headers: host.responseHeaders(request) });
      connection = host.open(adoptHttp2Stream(stream, 'server'), negotiated);
      stream.respond(response);
    } catch (error) {
      refuse(error as Error);
      return;
    }
    stream.off('error', noop);
    trackOnSession(stream.session!, connection);
    host.adopt(connection, request);
  };
  host.verify({ request, origin: info.origin, secure: stream.session?.encrypted === true }, complete, refuse);
}

/**
 * Answers a refused extended CONNECT with its status (a HandshakeError's, else 500) and
 * reason as a short text body, then resets the stream if the client has not closed it
 * within {@link REJECT_LINGER_MS}. The session is never touched.
 */
export function respondError(stream: ServerHttp2Stream, error: unknown): void {
  stream.on('error', noop);
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(constants.NGHTTP2_CANCEL);
    return;
  }
  const handshake = error instanceof HandshakeError && error.statusCode >= 400 && error.statusCode <= 599 ? error : null;
  const body = handshake ? handshake.message : 'Internal Server Error';
  const extra: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(handshake?.headers ?? {})) extra[name.toLowerCase()] = value as string | string[];
  try {
    stream.respond({ ...extra, ':status': handshake ? handshake.statusCode : 500, 'content-type': 'text/plain; charset=utf-8' });
  } catch {
    stream.respond({ ':status': 500, 'content-type': 'text/plain; charset=utf-8' });
  }
  stream.resume(); // discard what the client sends meanwhile
  stream.end(body);
  const timer = setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), REJECT_LINGER_MS);
  timer.unref();
  stream.once('close', () => clearTimeout(timer));
}

function noop(): void {}
