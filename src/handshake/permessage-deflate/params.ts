import type { ExtensionOffer } from '../extensions.js';

/**
 * The four RFC 7692 §7.1 parameters of one permessage-deflate element, validated.
 * `undefined` means absent; `clientMaxWindowBits: true` means present without a value
 * (allowed in an offer only).
 */
export interface DeflateParams {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number | undefined;
  readonly clientMaxWindowBits: number | true | undefined;
}

export type DeflateParamsResult = { ok: true; params: DeflateParams } | { ok: false; reason: string };

// RFC 7692 §7.1.2: "a decimal integer value without leading zeroes between 8 to 15".
const WINDOW_BITS_VALUE = /^(?:8|9|1[0-5])$/;

/**
 * Reads and validates the parameters of a permessage-deflate offer or response
 * (RFC 7692 §7): an unknown parameter, a repeated one, a value on a valueless one, a
 * missing or bad window-bits value all make the element invalid. The caller decides
 * what "invalid" means: a server declines the offer, a client fails the handshake.
 */
export function readDeflateParams(element: ExtensionOffer, kind: 'offer' | 'response'): DeflateParamsResult {
  const seen = new Set<string>();
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits: number | undefined;
  let clientMaxWindowBits: number | true | undefined;

  for (const [name, value] of element.params) {
    if (seen.has(name)) return { ok: false, reason: `parameter "${name}" appears more than once` };
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        // RFC 7692 §7.1.1: "This extension parameter has no value."
        if (value !== true) return { ok: false, reason: `parameter "${name}" must not have a value` };
        if (name === 'server_no_context_takeover') serverNoContextTakeover = true;
        else clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        // RFC 7692 §7.1.2.1: always has a value, in offers and in responses.
        if (value === true || !WINDOW_BITS_VALUE.test(value)) {
          return { ok: false, reason: `parameter "${name}" must have a value from 8 to 15` };
        }
        serverMaxWindowBits = Number(value);
        break;
      case 'client_max_window_bits':
        // RFC 7692 §7.1.2.2: optional value in an offer, required in a response.
        if (value === true) {
          if (kind === 'response') return { ok: false, reason: `parameter "${name}" must have a value in a response` };
          clientMaxWindowBits = true;
        } else if (WINDOW_BITS_VALUE.test(value)) {
          clientMaxWindowBits = Number(value);
        } else {
          return { ok: false, reason: `parameter "${name}" must have a value from 8 to 15` };
        }
        break;
      default:
        return { ok: false, reason: `unknown parameter "${name}"` };
    }
  }
  return {
    ok: true,
    params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
  };
}
