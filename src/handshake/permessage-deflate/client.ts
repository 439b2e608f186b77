import { HandshakeError } from '../handshake-error.js';
import type { ExtensionOffer, ExtensionParam } from '../extensions.js';
import {
  MAX_WINDOW_BITS,
  MIN_DEFLATE_WINDOW_BITS,
  PERMESSAGE_DEFLATE,
  passThrough,
  validateDeflateOptions,
  type NegotiatedDeflate,
  type PerMessageDeflateOptions,
} from './options.js';
import { readDeflateParams, type DeflateParams } from './params.js';

/**
 * Client side of RFC 7692 §7: the permessage-deflate offer for these options (see
 * {@link PerMessageDeflateOptions}, client role). By default it is
 * `permessage-deflate; client_max_window_bits`, as browsers send.
 *
 * @throws RangeError when `options` are invalid for the client role.
 */
export function buildDeflateOffer(options: PerMessageDeflateOptions = {}): ExtensionOffer {
  validateDeflateOptions(options, 'client');
  const params: ExtensionParam[] = [];
  if (options.serverNoContextTakeover) params.push(['server_no_context_takeover', true]);
  if (options.clientNoContextTakeover) params.push(['client_no_context_takeover', true]);
  if (options.serverMaxWindowBits !== undefined) params.push(['server_max_window_bits', String(options.serverMaxWindowBits)]);
  const clientBits = options.clientMaxWindowBits ?? true;
  if (clientBits === true) params.push(['client_max_window_bits', true]);
  else if (typeof clientBits === 'number') params.push(['client_max_window_bits', String(clientBits)]);
  return { name: PERMESSAGE_DEFLATE, params };
}

function bad(message: string): HandshakeError {
  // RFC 7692 §7: the client MUST fail the connection on an invalid response. The
  // server did answer 101, so that is the status recorded.
  return new HandshakeError(101, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS', `Invalid permessage-deflate response: ${message}`);
}

/**
 * Client side of RFC 7692 §7: checks the server's permessage-deflate element against
 * the permessage-deflate offers we sent (usually one) and returns the agreed
 * parameters. With several offers, the response must be a valid answer to at least
 * one of them; the first that fits is used.
 *
 * Fails when the response has an unknown, repeated or valueless/valued-wrongly
 * parameter; has `client_max_window_bits` although the offer did not; omits
 * `server_no_context_takeover` or `server_max_window_bits` that we asked for, or
 * answers a larger window than we asked for; or would make us compress with an 8-bit
 * window (`client_max_window_bits=8`): RFC 7692 §7 lets a client fail a configuration
 * it does not support, and Node's zlib cannot produce 8-bit-window data. So a
 * successful result never has `clientMaxWindowBits` below 9.
 *
 * @throws HandshakeError (WS_ERR_HANDSHAKE_BAD_EXTENSIONS, statusCode 101).
 */
export function validateDeflateResponse(
  response: ExtensionOffer,
  offered: readonly ExtensionOffer[],
  options: PerMessageDeflateOptions = {},
): NegotiatedDeflate {
  if (response.name !== PERMESSAGE_DEFLATE) throw new TypeError('Not a permessage-deflate element');
  const read = readDeflateParams(response, 'response');
  if (!read.ok) throw bad(read.reason);

  let firstError: HandshakeError | undefined;
  for (const offer of offered) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const offerRead = readDeflateParams(offer, 'offer');
    if (!offerRead.ok) continue; // we would not have sent it; it cannot be the one accepted
    const result = agree(read.params, offerRead.params);
    if (typeof result !== 'string') return { ...result, ...passThrough(options) };
    firstError ??= bad(result);
  }
  throw firstError ?? new HandshakeError(101, 'WS_ERR_HANDSHAKE_EXTENSION_NOT_OFFERED', 'The server accepted permessage-deflate, which was not offered');
}

/** The agreed parameters of `response` as an answer to `offer`, or why it is not one. */
function agree(response: DeflateParams, offer: DeflateParams): NegotiatedDeflate | string {
  // RFC 7692 §7.1.1.1: a server accepts server_no_context_takeover by echoing it.
  if (offer.serverNoContextTakeover && !response.serverNoContextTakeover) {
    return 'server_no_context_takeover was requested but not acknowledged';
  }
  // RFC 7692 §7.1.2.1: accepted with "the same or smaller value as the offer".
  if (offer.serverMaxWindowBits !== undefined) {
    if (response.serverMaxWindowBits === undefined) return 'server_max_window_bits was requested but not acknowledged';
    if (response.serverMaxWindowBits > offer.serverMaxWindowBits) {
      return `server_max_window_bits=${response.serverMaxWindowBits} is larger than the ${offer.serverMaxWindowBits} requested`;
    }
  }
  // RFC 7692 §7.1.2.2: MUST NOT be in the response unless it was in the offer.
  if (response.clientMaxWindowBits !== undefined && offer.clientMaxWindowBits === undefined) {
    return 'client_max_window_bits was not offered';
  }
  // We compress within both the server's limit and our own promise (the offer's hint).
  const limits = [MAX_WINDOW_BITS];
  if (typeof response.clientMaxWindowBits === 'number') limits.push(response.clientMaxWindowBits);
  if (typeof offer.clientMaxWindowBits === 'number') limits.push(offer.clientMaxWindowBits);
  const clientMaxWindowBits = Math.min(...limits);
  if (clientMaxWindowBits < MIN_DEFLATE_WINDOW_BITS) {
    return `client_max_window_bits=${clientMaxWindowBits} is not supported (zlib cannot compress with an 8-bit window)`;
  }
  return {
    serverNoContextTakeover: response.serverNoContextTakeover,
    // We keep a promise of no context takeover made in the offer, even if not echoed.
    clientNoContextTakeover: response.clientNoContextTakeover || offer.clientNoContextTakeover,
    serverMaxWindowBits: response.serverMaxWindowBits ?? MAX_WINDOW_BITS,
    clientMaxWindowBits,
  };
}
