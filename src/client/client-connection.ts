import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { placeStages } from '../connection/chains.js';
import { Connection } from '../connection/connection.js';
import type { Transport } from '../connection/options.js';
import type { UpgradeResponseInfo } from '../handshake/upgrade-client-response.js';
import type { ConnectOptions } from './connect-options.js';

/**
 * The client Connection over `socket` once the server's answer was validated: the same
 * over HTTP/1.1 (a 101; `head` is what came after it) and HTTP/2 (a 200 on the stream).
 */
export function openClientConnection(
  socket: Duplex,
  options: ConnectOptions,
  info: UpgradeResponseInfo,
  headers: IncomingHttpHeaders,
  carrier: { head?: Buffer; transport: Transport },
): Connection {
  const extensions = headers['sec-websocket-extensions'];
  return new Connection(socket, {
    ...options,
    role: 'client',
    protocol: info.protocol,
    extensions: typeof extensions === 'string' ? extensions : '',
    extensionStages: info.agreed.map((entry) => entry.stages),
    stages: placeStages(options.stages, info.agreed.map((entry) => entry.extension.name)),
    ...carrier,
  });
}
