/**
 * A connection of the client's own, for the routes https.request cannot take alone: through
 * a proxy tunnel, and/or TLS that offers h2 in ALPN (RFC 7301) to find out whether the
 * server speaks HTTP/2.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions, type TLSSocket } from 'node:tls';
import type { ConnectOptions } from './connect-options.js';
import { tlsOptionsOf } from './connect-options.js';
import { openTunnel } from './proxy.js';
import { bare, isSecure, portOf } from './target-url.js';

export interface SocketRoute {
  /** Tunnel through this proxy, or connect directly. */
  proxy: URL | null;
  /** ALPN protocols to offer (wss:// only), most preferred first. */
  alpn?: readonly string[];
}

/**
 * Connects to `url`'s host and port (through the proxy's tunnel if any), then, for wss://,
 * runs TLS over it with the caller's TLS options — verification, host name check and all —
 * offering `alpn`. Resolves once the connection (and TLS) is up; `signal` aborts it.
 */
export async function openClientSocket(url: URL, options: ConnectOptions, route: SocketRoute, signal: AbortSignal): Promise<Socket | TLSSocket> {
  const host = bare(url.hostname);
  const port = portOf(url);
  const base = route.proxy ? await openTunnel(route.proxy, host, port, signal) : null;
  if (!isSecure(url)) return base ?? settle(netConnect({ host, port }), 'connect', signal);
  const tls: TlsOptions = {
    ...tlsOptionsOf(options),
    host,
    port,
    // SNI takes a host name, never an IP address (RFC 6066 §3).
    ...(options.servername === undefined && isIP(host) === 0 && { servername: host }),
    ...(route.alpn !== undefined && { ALPNProtocols: [...route.alpn] }),
    ...(base !== null && { socket: base }),
  };
  return settle(tlsConnect(tls), 'secureConnect', signal);
}

/** Resolves with `socket` on `event`; destroys it and rejects on an error or an abort first. */
function settle<S extends Socket>(socket: S, event: 'connect' | 'secureConnect', signal: AbortSignal): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const fail = (error: unknown): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error): void => fail(error);
    const onAbort = (): void => fail(signal.reason);
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const cleanup = (): void => {
      socket.off('error', onError);
      socket.off(event, onReady);
      signal.removeEventListener('abort', onAbort);
    };
    socket.once('error', onError);
    socket.once(event, onReady);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
