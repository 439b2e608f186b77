import { buildDeflateOffer, validateDeflateResponse } from '../handshake/permessage-deflate/client.js';
import { validateDeflateOptions, type PerMessageDeflateOptions } from '../handshake/permessage-deflate/options.js';
import { acceptDeflateOffer } from '../handshake/permessage-deflate/server.js';
import { PERMESSAGE_DEFLATE, perMessageDeflateSchema } from '../transforms/deflate/parameters.js';
import { deflateExtensionStages, deflateStageOptions } from '../transforms/deflate/stage-options.js';
import { RSV1 } from '../transforms/records.js';
import { validateOptions } from '../validation/schema.js';
import type { Extension } from './extension.js';

/**
 * permessage-deflate (RFC 7692) as an {@link Extension}: RSV1 marks a compressed message;
 * the negotiation of its four parameters in either role; an Inflate stage on the way in
 * (held to the connection's `maxPayload`) and a Deflate stage on the way out. The
 * `perMessageDeflate` option of servers and clients is this extension, first in the list.
 * Options are checked here for what either role accepts, and when a server or client is
 * created for what that role accepts.
 */
export function permessageDeflate(options: PerMessageDeflateOptions = {}): Extension {
  validateOptions(options, perMessageDeflateSchema('either'), 'permessageDeflate');
  return {
    name: PERMESSAGE_DEFLATE,
    rsv: RSV1,
    check: (role) => validateDeflateOptions(options, role),
    offers: () => [buildDeflateOffer(options).params],
    accept: (response, offered) => deflateExtensionStages(deflateStageOptions(validateDeflateResponse(response, offered, options), 'client')),
    respond: (offers) => {
      const accepted = acceptDeflateOffer(offers, options);
      if (accepted === null) return null;
      return { params: accepted.response.params, stages: deflateExtensionStages(deflateStageOptions(accepted.negotiated, 'server')) };
    },
  };
}
