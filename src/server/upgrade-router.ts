import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { rejectSocket } from '../handshake/reject-socket.js';
import { attachStreams, isHttp2Server, type StreamRoute } from './http2-upgrade.js';
import { notFound, pathOf } from './request-path.js';

/** What the router needs of a WebSocket server attached to an http server (and, on an HTTP/2 server, its streams). */
export interface UpgradeRoute extends StreamRoute {
  /** The path it serves, or undefined for every path. */
  readonly path: string | undefined;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const routers = new WeakMap<HttpServer, UpgradeRouter>();

/**
 * One 'upgrade' listener per http server, shared by every WebSocket server attached to it,
 * so that several can serve different paths: a request goes to the server of its exact
 * path, else to one without a path. An upgrade that no attached server claims gets one
 * 404 — unless the application listens for 'upgrade' itself, and may want it. On a
 * node:http2 server, WebSocket extended CONNECT streams (RFC 8441) are routed the same way.
 */
class UpgradeRouter {
  private readonly routes: UpgradeRoute[] = [];
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => this.route(request, socket, head);

  private readonly detachStreams: (() => void) | null;

  constructor(private readonly http: HttpServer) {
    http.on('upgrade', this.onUpgrade);
    this.detachStreams = isHttp2Server(http) ? attachStreams(http, (path) => this.find(path)) : null;
  }

  add(route: UpgradeRoute): void {
    const clash = this.routes.find((other) => other.path === route.path);
    if (clash) {
      throw new TypeError(`Another WebSocket server already serves ${route.path === undefined ? 'every path' : `path "${route.path}"`} on this http server`);
    }
    this.routes.push(route);
  }

  remove(route: UpgradeRoute): void {
    const index = this.routes.indexOf(route);
    if (index !== -1) this.routes.splice(index, 1);
    if (this.routes.length === 0) {
      this.http.off('upgrade', this.onUpgrade);
      this.detachStreams?.();
      routers.delete(this.http);
    }
  }

  /** The route of exactly this path, else the one serving every path. */
  private find(path: string): UpgradeRoute | undefined {
    return this.routes.find((route) => route.path === path) ?? this.routes.find((route) => route.path === undefined);
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(request.url);
    const target = this.find(path);
    if (target) target.handleUpgrade(request, socket, head);
    else if (this.http.listenerCount('upgrade') === 1) {
      rejectSocket(socket, notFound(path));
    }
  }
}

/** Attaches `route` to `http`'s upgrades; returns the function that detaches it. */
export function attachRoute(http: HttpServer, route: UpgradeRoute): () => void {
  let router = routers.get(http);
  if (!router) {
    router = new UpgradeRouter(http);
    routers.set(http, router);
  }
  router.add(route);
  const attached = router;
  return () => attached.remove(route);
}
