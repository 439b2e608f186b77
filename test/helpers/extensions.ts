/** Small extension objects for negotiation tests: they offer, accept and respond as told. */
import type { Extension, ExtensionParams } from '../../src/extensions/extension.js';
import type { ExtensionOffer } from '../../src/handshake/extensions.js';

/**
 * An extension that offers `offers`, accepts any response, and (as a server) accepts the
 * client's first offer as it is. Its stages add nothing. `seen` records what it was handed.
 */
export function plainExtension(name: string, rsv = 0, offers: readonly ExtensionParams[] = [[]]): Extension & { seen: ExtensionOffer[][] } {
  const seen: ExtensionOffer[][] = [];
  return {
    name,
    rsv,
    seen,
    offers: () => offers,
    accept: (response) => {
      seen.push([response]);
      return { name, rsv };
    },
    respond: (received) => {
      seen.push([...received]);
      return { params: received[0]!.params, stages: { name, rsv } };
    },
  };
}
