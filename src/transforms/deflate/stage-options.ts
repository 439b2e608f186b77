import type { Role } from '../records.js';
import type { ExtensionStages } from '../extension-stages.js';
import { RSV1 } from '../records.js';
import { DeflateCore } from './deflate.js';
import { InflateCore } from './inflate.js';
import type { DeflateOptions, InflateOptions } from './options.js';
import { PERMESSAGE_DEFLATE } from './parameters.js';
import { sharedDeflate } from './shared-deflate.js';

/**
 * The agreed parameters (RFC 7692 §5), the same for both roles: `server*` fields
 * govern data the server compresses and the client inflates, `client*` fields the
 * other direction. Window bits are 8..15 (15 when not negotiated).
 *
 * The side that compresses never gets a window below 9 from negotiation; the side that
 * inflates uses at least 9, since a larger window always inflates data made with a
 * smaller one.
 */
export interface NegotiatedDeflate {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
  readonly threshold?: number | undefined;
  readonly level?: number | undefined;
  readonly memLevel?: number | undefined;
}

/** {@link NegotiatedDeflate} under the name the stages use. */
export type AgreedDeflate = NegotiatedDeflate;

export interface DeflateStageOptions {
  inflate: InflateOptions;
  deflate: DeflateOptions;
}

/**
 * The stage options for one side of a connection (RFC 7692 §7.1): `server_*` parameters
 * govern what the server compresses and the client inflates, `client_*` the other way.
 * `maxPayload` for inflating comes from the decoder's limits.
 */
export function deflateStageOptions(agreed: AgreedDeflate, role: Role): DeflateStageOptions {
  const server = role === 'server';
  return {
    inflate: {
      windowBits: server ? agreed.clientMaxWindowBits : agreed.serverMaxWindowBits,
      noContextTakeover: server ? agreed.clientNoContextTakeover : agreed.serverNoContextTakeover,
    },
    deflate: {
      windowBits: server ? agreed.serverMaxWindowBits : agreed.clientMaxWindowBits,
      noContextTakeover: server ? agreed.serverNoContextTakeover : agreed.clientNoContextTakeover,
      threshold: agreed.threshold,
      level: agreed.level,
      memLevel: agreed.memLevel,
    },
  };
}

/**
 * permessage-deflate's stages as an extension of the chains (RFC 7692 §6: RSV1 marks a
 * compressed message): an Inflate stage on the way in, whose `maxPayload` defaults to the
 * decoder's, and a Deflate stage on the way out. Either direction may be left out.
 */
export function deflateExtensionStages(stages: Partial<DeflateStageOptions>): ExtensionStages {
  const { inflate, deflate } = stages;
  return {
    name: PERMESSAGE_DEFLATE,
    rsv: RSV1,
    ...(inflate && {
      decoder: (next, context) => new InflateCore({ ...inflate, maxPayload: inflate.maxPayload ?? context.maxPayload }, next),
    }),
    ...(deflate && { encoder: (next) => new DeflateCore(deflate, next), shared: sharedDeflate(deflate) }),
  };
}
