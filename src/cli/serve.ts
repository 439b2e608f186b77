/** What `wspipe echo` and `wspipe demo` share: addresses in URLs and a graceful stop on signals. */
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from '../server/server.js';
import type { FlagSpec } from './args.js';

/** After a stop signal, connections get this long to finish their close handshake. */
export const SHUTDOWN_GRACE_MS = 3_000;

/** The `--host` and `--port` flags of a command that listens, on 127.0.0.1 by default. */
export function listenFlags(defaultPort: number): FlagSpec[] {
  return [
    { name: 'host', kind: 'string', placeholder: 'HOST', default: '127.0.0.1', help: 'interface to listen on (0.0.0.0 or :: for all)' },
    { name: 'port', kind: 'integer', placeholder: 'PORT', default: defaultPort, max: 65535, help: 'port to listen on (0: any free port)' },
  ];
}

/** `host` as it goes in a URL: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** `host:port` of a peer or a listening address, IPv6 in brackets. */
export function hostPort(host: string | undefined, port: number | undefined): string {
  return `${urlHost(host ?? '?')}:${port ?? '?'}`;
}

/** The port a server actually listens on (the one the OS chose for port 0). */
export function boundPort(address: AddressInfo | string | null): number {
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/**
 * Closes a WebSocket server the polite way: every connection gets 1001 (going away) and
 * {@link SHUTDOWN_GRACE_MS} to answer (RFC 6455 §7.1.1); the ones that do not are terminated.
 */
export function closeGracefully(server: WebSocketServer): Promise<void> {
  return server.close({ timeout: SHUTDOWN_GRACE_MS });
}

/**
 * On SIGINT or SIGTERM runs `stop` and exits 0 (1 if it fails); a second signal while
 * stopping exits at once, with the shell's 128 + signal number. Returns a function that
 * starts the same stop without a signal (a cluster worker told to stop), once.
 */
export function stopOnSignals(stop: () => Promise<void>, report: (line: string) => void): (reason: string) => void {
  let stopping = false;
  const begin = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    report(`${reason}: shutting down`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        report(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    begin(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return begin;
}
