import { formatExtensions, type ExtensionOffer, type ExtensionParam } from '../extensions.js';
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

/** A permessage-deflate offer the server accepted. */
export interface DeflateAcceptance {
  /** The element to send back (RFC 7692 §5: the "agreed parameters"). */
  readonly response: ExtensionOffer;
  /** `response` formatted for the Sec-WebSocket-Extensions header. */
  readonly header: string;
  /** The agreed parameters, for the compression stages. */
  readonly negotiated: NegotiatedDeflate;
  /** Index, in the offers given, of the offer that was accepted. */
  readonly offerIndex: number;
}

/**
 * Server side of RFC 7692 §7: accepts the first permessage-deflate offer (client
 * preference order, RFC 7692 §5) that is valid and that this server can honour, or
 * returns null to decline them all (then no permessage-deflate is sent back).
 *
 * An offer is declined (skipped) when it has an unknown or repeated parameter or a
 * bad value (RFC 7692 §7), when it asks for `server_max_window_bits=8` (Node's zlib
 * cannot compress with an 8-bit window), or when `options.clientMaxWindowBits` is
 * below 15 and the offer has no `client_max_window_bits` (we could not limit the
 * client's window as configured). Offers of other extensions are ignored.
 *
 * @throws RangeError when `options` are invalid for the server role.
 */
export function acceptDeflateOffer(
  offers: readonly ExtensionOffer[],
  options: PerMessageDeflateOptions = {},
): DeflateAcceptance | null {
  validateDeflateOptions(options, 'server');
  for (let index = 0; index < offers.length; index++) {
    const offer = offers[index]!;
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const read = readDeflateParams(offer, 'offer');
    if (!read.ok) continue; // RFC 7692 §7: MUST decline an invalid offer
    const agreed = agree(read.params, options);
    if (agreed === null) continue;
    const response: ExtensionOffer = { name: PERMESSAGE_DEFLATE, params: agreed.params };
    return { response, header: formatExtensions([response]), negotiated: agreed.negotiated, offerIndex: index };
  }
  return null;
}

function agree(
  offer: DeflateParams,
  options: PerMessageDeflateOptions,
): { params: ExtensionParam[]; negotiated: NegotiatedDeflate } | null {
  // RFC 7692 §7.1.2.1: compress with a window no larger than the client asked for.
  let serverBits = options.serverMaxWindowBits ?? MAX_WINDOW_BITS;
  if (offer.serverMaxWindowBits !== undefined) {
    if (offer.serverMaxWindowBits < MIN_DEFLATE_WINDOW_BITS) return null; // zlib cannot honour 8
    serverBits = Math.min(serverBits, offer.serverMaxWindowBits);
  }

  // RFC 7692 §7.1.2.2: client_max_window_bits may be sent only if it was offered.
  let clientBits: number | undefined;
  const wanted = options.clientMaxWindowBits;
  if (offer.clientMaxWindowBits !== undefined) {
    const hint = offer.clientMaxWindowBits === true ? undefined : offer.clientMaxWindowBits;
    if (typeof wanted === 'number') clientBits = hint === undefined ? wanted : Math.min(wanted, hint);
    else if (wanted !== false) clientBits = hint;
  } else if (typeof wanted === 'number' && wanted < MAX_WINDOW_BITS) {
    return null; // cannot bound the client's window as configured
  }

  // RFC 7692 §7.1.1.1: a requested server_no_context_takeover MUST be acknowledged.
  const serverNoContextTakeover = options.serverNoContextTakeover === true || offer.serverNoContextTakeover;
  // RFC 7692 §7.1.1.2: the server may always impose client_no_context_takeover.
  const clientNoContextTakeover =
    options.clientNoContextTakeover === true ||
    (options.clientNoContextTakeover === undefined && offer.clientNoContextTakeover);

  const params: ExtensionParam[] = [];
  if (serverNoContextTakeover) params.push(['server_no_context_takeover', true]);
  if (clientNoContextTakeover) params.push(['client_no_context_takeover', true]);
  if (offer.serverMaxWindowBits !== undefined || serverBits < MAX_WINDOW_BITS) {
    params.push(['server_max_window_bits', String(serverBits)]);
  }
  if (clientBits !== undefined) params.push(['client_max_window_bits', String(clientBits)]);

  return {
    params,
    negotiated: {
      serverNoContextTakeover,
      clientNoContextTakeover,
      serverMaxWindowBits: serverBits,
      clientMaxWindowBits: clientBits ?? MAX_WINDOW_BITS,
      ...passThrough(options),
    },
  };
}
