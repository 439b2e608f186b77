/**
 * HTTP CONNECT proxies (RFC 9110 §9.3.6) for the client: which proxy a URL goes through —
 * the `proxy` option, or with `proxy: 'env'` the conventional HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY variables — and the tunnel itself. TLS for wss:// runs inside the tunnel, end
 * to end with the target: the proxy sees only the host and port.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { HandshakeError } from '../handshake/handshake-error.js';
import { basicAuthorization } from '../handshake/upgrade-client-request.js';
import { readErrorBody } from './error-body.js';
import { bare, isSecure, portOf } from './target-url.js';

/** The `proxy` option: a proxy URL (`http://user:pass@host:port`), or 'env' to read the environment. */
export type ProxyOption = string | URL;

/** Whether `value` is a usable proxy URL: http:// (a bare `host:port` is taken as one). */
export function isProxyUrl(value: string | URL): boolean {
  try {
    return parseProxyUrl(value).protocol === 'http:';
  } catch {
    return false;
  }
}

function parseProxyUrl(value: string | URL): URL {
  if (value instanceof URL) return value;
  // As curl does, an environment value without a scheme is an http:// proxy.
  return new URL(value.includes('://') ? value : `http://${value}`);
}

/**
 * The proxy to reach `target` through, or null to connect directly. With 'env':
 * `https_proxy`/`HTTPS_PROXY` for wss://, `http_proxy`/`HTTP_PROXY` for ws:// (lower case
 * first, as curl reads them), unless `no_proxy`/`NO_PROXY` names the host.
 *
 * @throws TypeError for a proxy URL that is not http:// (from the environment too).
 */
export function proxyFor(target: URL, option: ProxyOption | undefined, env: NodeJS.ProcessEnv = process.env): URL | null {
  if (option === undefined) return null;
  let value: string | URL | undefined = option;
  let source = 'proxy option';
  if (option === 'env') {
    const secure = isSecure(target);
    source = secure ? 'HTTPS_PROXY' : 'HTTP_PROXY';
    value = (secure ? env['https_proxy'] || env['HTTPS_PROXY'] : env['http_proxy'] || env['HTTP_PROXY']) || undefined;
    if (value === undefined || bypassed(target, env['no_proxy'] || env['NO_PROXY'] || '')) return null;
  }
  if (!isProxyUrl(value)) throw new TypeError(`The ${source} must be an http:// proxy URL. Received ${JSON.stringify(String(value))}`);
  return parseProxyUrl(value);
}

/**
 * NO_PROXY as most tools read it: entries separated by commas or spaces; `*` matches every
 * host; an entry matches its host name and every subdomain (a leading `.` or `*.` is
 * ignored), an IP address matches itself; `:port` limits an entry to that port. No CIDR.
 */
export function bypassed(target: URL, noProxy: string): boolean {
  const host = bare(target.hostname).toLowerCase();
  const port = String(portOf(target));
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[([^\]]+)\]/, '$1') : entry)!;
    let name = match[1]!;
    // An IPv6 literal has colons of its own: only a bracketed one can carry a port.
    if (isIP(entry) === 6) name = entry;
    else if (match[2] !== undefined && match[2] !== port) continue;
    name = name.replace(/^\*?\./, '');
    if (host === name || (isIP(host) === 0 && host.endsWith(`.${name}`))) return true;
  }
  return false;
}

/**
 * Opens a tunnel to `host`:`port` through `proxy` with CONNECT, sending the proxy URL's
 * credentials as `Proxy-Authorization: Basic`. Resolves with the socket once the proxy
 * answered 2xx; rejects with a HandshakeError `WS_ERR_PROXY_REFUSED` carrying the proxy's
 * status (407, 403, 502...) and the start of its body otherwise.
 */
export function openTunnel(proxy: URL, host: string, port: number, signal: AbortSignal): Promise<Socket> {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  const credentials = basicAuthorization(proxy);
  if (credentials !== undefined) headers['proxy-authorization'] = credentials;
  return new Promise<Socket>((resolve, reject) => {
    const request = httpRequest({ host: bare(proxy.hostname), port: proxy.port || 80, method: 'CONNECT', path: authority, headers, agent: false, signal });
    const refused = (response: IncomingMessage, body: string): HandshakeError => {
      const status = response.statusCode ?? 0;
      const statusMessage = response.statusMessage ?? '';
      return new HandshakeError(status, 'WS_ERR_PROXY_REFUSED', `The proxy ${proxy.host} refused to connect to ${authority}: ${status} ${statusMessage}`.trimEnd(), {
        statusMessage,
        body,
      });
    };
    request.once('connect', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
        return;
      }
      // Node hands any answer to a CONNECT over as 'connect': its body is on the socket.
      if (head.length > 0) socket.unshift(head);
      readErrorBody(socket).then((body) => {
        socket.destroy();
        reject(refused(response, body));
      });
    });
    // Should a refusal come as an ordinary response, its body says why too.
    request.once('response', (response: IncomingMessage) => {
      readErrorBody(response).then((body) => {
        request.destroy();
        reject(refused(response, body));
      });
    });
    request.once('error', (error: Error & { code?: string }) => reject(signal.aborted ? signal.reason : error));
    request.end();
  });
}
