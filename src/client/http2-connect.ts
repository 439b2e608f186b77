/**
 * The client side of WebSockets over HTTP/2 (RFC 8441): a WebSocket as one extended
 * CONNECT stream of a session — the caller's, or one shared by every `http2: true`
 * connection to the same origin — and the fallback to HTTP/1.1 when the server does not
 * allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, §3) or does not speak h2.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { connect as http2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Connection } from '../connection/connection.js';
import { adoptHttp2Stream, trackOnSession } from '../connection/http2-stream.js';
import { validateExtendedConnectResponse, type ExtendedConnectRequest } from '../handshake/extended-connect.js';
import { HandshakeError } from '../handshake/handshake-error.js';
import { openClientConnection } from './client-connection.js';
import { openClientSocket } from './client-socket.js';
import { TLS_OPTION_NAMES, type ConnectOptions } from './connect-options.js';
import type { HandshakeDeadline } from './deadline.js';
import { badStatus, readErrorBody } from './error-body.js';

/** Not over HTTP/2 after all: upgrade over HTTP/1.1, on this socket if TLS chose http/1.1 on it, else on a new one. */
export interface Http1Fallback {
  socket: Socket | TLSSocket | null;
}

/** A session shared by the connections to one origin (with the same TLS options and proxy). */
interface SharedSession {
  /** The session once up, or null when the server chose HTTP/1.1 in ALPN. */
  ready: Promise<ClientHttp2Session | null>;
  /** WebSockets open or opening on it; at 0 it is closed and forgotten. */
  users: number;
  /** The TLS socket on which the server chose HTTP/1.1: for the first one that falls back. */
  spare: Socket | TLSSocket | null;
}

const shared = new Map<string, SharedSession>();

/**
 * Opens the WebSocket as an extended CONNECT stream: on `options.http2` when it is a
 * session, else on the shared session of the origin (opening it, through `proxy` if any,
 * with ALPN h2 and http/1.1). Resolves with the open connection, or with a fallback when
 * the server does not take WebSockets over HTTP/2.
 */
export async function connectOverHttp2(
  url: URL,
  request: ExtendedConnectRequest,
  options: ConnectOptions,
  proxy: URL | null,
  deadline: HandshakeDeadline,
): Promise<Connection | Http1Fallback> {
  if (typeof options.http2 === 'object') {
    const session = options.http2;
    if (!(await deadline.race(connectProtocolAllowed(session)))) return { socket: null };
    return openStream(session, request, options, deadline);
  }
  const key = sessionKey(url, options, proxy);
  let entry = shared.get(key);
  if (!entry) {
    entry = startSession(key, url, options, proxy, deadline.ms);
    shared.set(key, entry);
  }
  entry.users++;
  let connection: Connection | null = null;
  try {
    const session = await deadline.race(entry.ready);
    if (session === null) {
      const socket = entry.spare;
      entry.spare = null;
      return { socket };
    }
    if (!session.remoteSettings.enableConnectProtocol) return { socket: null };
    connection = await openStream(session, request, options, deadline);
    const user = entry;
    connection.once('close', () => release(key, user));
    return connection;
  } finally {
    if (connection === null) release(key, entry);
  }
}

/**
 * Opens the origin's session: the connection (through the proxy if any) with TLS offering
 * h2 then http/1.1, and, when the server chose h2, the session once its SETTINGS came —
 * they say whether extended CONNECT is allowed. Bounded by `ms`, and not by one caller's
 * signal: other connections may be waiting for it too.
 */
function startSession(key: string, url: URL, options: ConnectOptions, proxy: URL | null, ms: number): SharedSession {
  const signal = AbortSignal.timeout(ms);
  const entry: SharedSession = { users: 0, spare: null, ready: Promise.resolve(null) };
  entry.ready = (async () => {
    const socket = await openClientSocket(url, options, { proxy, alpn: ['h2', 'http/1.1'] }, signal);
    if ((socket as TLSSocket).alpnProtocol !== 'h2') {
      forget(key, entry);
      entry.spare = socket;
      return null;
    }
    const session = http2Connect(`https://${url.host}`, { createConnection: () => socket });
    session.on('error', noop); // 'close' follows; the streams on it report their own end
    session.once('close', () => forget(key, entry));
    session.once('goaway', () => forget(key, entry)); // no new streams on it: the next connect opens another
    await firstSettings(session, signal);
    return session;
  })();
  entry.ready.catch(() => forget(key, entry));
  return entry;
}

/** One WebSocket fewer on the shared session: the last one closes it. */
function release(key: string, entry: SharedSession): void {
  if (--entry.users > 0) return;
  forget(key, entry);
  entry.ready.then(
    (session) => {
      if (entry.users > 0) return;
      session?.close();
      entry.spare?.destroy();
      entry.spare = null;
    },
    noop,
  );
}

function forget(key: string, entry: SharedSession): void {
  if (shared.get(key) === entry) shared.delete(key);
}

/** Resolves once the server's first SETTINGS frame (its connection preface, RFC 9113 §3.4) arrived. */
function firstSettings(session: ClientHttp2Session, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown): void => {
      session.off('remoteSettings', onSettings);
      session.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else {
        session.destroy();
        reject(error);
      }
    };
    const onSettings = (): void => done();
    const onClose = (): void => done(new HandshakeError(0, 'WS_ERR_HANDSHAKE_STREAM_CLOSED', 'The HTTP/2 session closed before its SETTINGS'));
    const onAbort = (): void => done(signal.reason);
    session.once('remoteSettings', onSettings);
    session.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether the server of a caller's session allows extended CONNECT. Its SETTINGS may not
 * have come yet, and Node does not say whether they have: a PING's answer comes after
 * them (the server's SETTINGS is the first frame it sends), so ask again after one.
 */
async function connectProtocolAllowed(session: ClientHttp2Session): Promise<boolean> {
  const allowed = (): boolean => session.remoteSettings.enableConnectProtocol === true;
  if (allowed()) return true;
  if (session.connecting) await new Promise<void>((resolve) => session.once('connect', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    session.ping((error) => (error ? reject(error) : resolve()));
  });
  return allowed();
}

/**
 * Sends the extended CONNECT on `session` and resolves with the Connection over the stream
 * once a valid 200 came (RFC 8441 §5); rejects with a HandshakeError for another status
 * (its body read, as on HTTP/1.1), an invalid 200, or a stream closed first.
 */
function openStream(session: ClientHttp2Session, request: ExtendedConnectRequest, options: ConnectOptions, deadline: HandshakeDeadline): Promise<Connection> {
  return new Promise<Connection>((resolve, reject) => {
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(request.headers, { endStream: false });
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      stream.off('error', fail);
      stream.off('close', onClose);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
      reject(error);
    };
    const onAbort = (): void => fail(deadline.signal.reason);
    const onClose = (): void => fail(new HandshakeError(0, 'WS_ERR_HANDSHAKE_STREAM_CLOSED', `The HTTP/2 stream closed before a response (RST_STREAM code ${stream.rstCode ?? 0})`));
    stream.on('error', fail);
    stream.once('close', onClose);
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    stream.once('response', (headers: IncomingHttpHeaders) => {
      const status = Number(headers[':status']);
      if (status !== 200) {
        stream.off('close', onClose);
        readErrorBody(stream).then((body) => fail(badStatus(status, STATUS_CODES[status] ?? '', body)));
        return;
      }
      if (!settle()) return;
      let connection: Connection;
      try {
        const info = validateExtendedConnectResponse({ statusCode: status, headers }, request);
        connection = openClientConnection(adoptHttp2Stream(stream, 'client'), options, info, headers, { transport: 'h2' });
      } catch (error) {
        stream.close(constants.NGHTTP2_CANCEL);
        reject(error);
        return;
      }
      trackOnSession(session, connection);
      resolve(connection);
    });
  });
}

/**
 * What a shared session is shared by: the origin, the proxy, and the TLS options (a
 * connection made with other CAs, certificates or checks must not reuse it). Functions
 * count by identity, bytes and strings by content.
 */
function sessionKey(url: URL, options: ConnectOptions, proxy: URL | null): string {
  const hash = createHash('sha256');
  for (const name of TLS_OPTION_NAMES) hash.update(`${name}=${fingerprint(options[name])};`);
  return `${url.protocol}//${url.host} via ${proxy?.href ?? 'direct'} ${hash.digest('base64')}`;
}

const functionIds = new WeakMap<object, number>();
let functionCount = 0;

function fingerprint(value: unknown): string {
  if (value === undefined) return '-';
  if (typeof value === 'function') {
    if (!functionIds.has(value)) functionIds.set(value, ++functionCount);
    return `f${functionIds.get(value)}`;
  }
  if (ArrayBuffer.isView(value)) return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(fingerprint).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((name) => `${name}:${fingerprint((value as Record<string, unknown>)[name])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function noop(): void {}
