import { connect, type ConnectOptions } from '../client/connect.js';
import { validateConnectOptions } from '../client/connect-options.js';
import type { Connection } from '../connection/connection.js';
import { optionTypeError } from '../validation/schema.js';

/**
 * The `connect()` options that WebSocket and WebSocketStream own themselves, with what to
 * do instead: in their third argument these would be overridden (protocols, signal) or
 * break the API (streamMessages: no whole messages to deliver).
 */
const OWNED_BY_THE_API = {
  WebSocket: { protocols: 'pass them as the second argument', signal: 'call close()', streamMessages: 'messages are events' },
  WebSocketStream: { protocols: 'pass them in the second argument', signal: 'pass it in the second argument', streamMessages: 'the readable yields whole messages' },
} as const;

/** The third constructor argument: checked at the call as `connect()` checks its options, less those the API owns. */
export function validateClientOptions(options: ConnectOptions, api: keyof typeof OWNED_BY_THE_API): void {
  validateConnectOptions(options);
  for (const [name, instead] of Object.entries(OWNED_BY_THE_API[api])) {
    if ((options as Record<string, unknown>)[name] !== undefined) throw optionTypeError(`The "${name}" option is not for a ${api}: ${instead}`);
  }
}

/** `connect()` as the browser APIs open a connection: permessage-deflate offered (as browsers and Node's client do) unless the caller chose. */
export function connectLikeBrowsers(url: URL, protocols: string[], options: ConnectOptions, signal: AbortSignal): Promise<Connection> {
  return connect(url, { ...options, perMessageDeflate: options.perMessageDeflate ?? true, protocols, signal });
}
