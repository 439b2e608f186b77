import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { HandshakeError } from '../handshake/handshake-error.js';
import { rejectSocket } from '../handshake/reject-socket.js';

/** What the router needs of a WebSocket server attached to an http server. */
export interface UpgradeRoute {
  /** The path it serves, or undefined for every path. */
  readonly path: string | undefined;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** The path of a request target, without its query. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const routers = new WeakMap<HttpServer, UpgradeRouter>();

/**
 * One 'upgrade' listener per http server, shared by every WebSocket server attached to it,
 * so that several can serve different paths: a request goes to the server of its exact
 * path, else to one without a path. An upgrade that no attached server claims gets one
 * 404 — unless the application listens for 'upgrade' itself, and may want it.
 */
class UpgradeRouter {
  private readonly routes: UpgradeRoute[] = [];
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => this.route(request, socket, head);

  constructor(private readonly http: HttpServer) {
    http.on('upgrade', this.onUpgrade);
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
      routers.delete(this.http);
    }
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(request.url);
    const target = this.routes.find((route) => route.path === path) ?? this.routes.find((route) => route.path === undefined);
    if (target) target.handleUpgrade(request, socket, head);
    else if (this.http.listenerCount('upgrade') === 1) {
      rejectSocket(socket, new HandshakeError(404, 'WS_ERR_HANDSHAKE_REFUSED', `No WebSocket endpoint at ${path}`));
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
