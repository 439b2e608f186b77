import { checkExtensions } from '../handshake/extension-negotiation.js';
import type { PerMessageDeflateOptions } from '../handshake/permessage-deflate/options.js';
import { PERMESSAGE_DEFLATE } from '../transforms/deflate/parameters.js';
import type { Role } from '../transforms/records.js';
import type { Extension } from './extension.js';
import { permessageDeflate } from './permessage-deflate.js';
import { arrayOf, optionTypeError, withMethods, type Schema } from '../validation/schema.js';

/** The checks of the extension options at the call (each extension is checked by `resolveExtensions`). */
export const EXTENSION_OPTIONS_SCHEMA: Schema = {
  extensions: arrayOf(withMethods('an extension object ({ name, rsv, offers, accept, respond })', 'offers', 'accept', 'respond')),
};

/** The extension options of servers and clients. */
export interface ExtensionOptions {
  /** permessage-deflate (RFC 7692): off by default; true or options to offer (client) or accept (server) it, first. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Extensions to negotiate, in order of preference (see `Extension`). */
  extensions?: readonly Extension[];
}

/**
 * The extensions a server or client negotiates: `perMessageDeflate` first (it is the
 * `permessageDeflate()` extension), then `extensions`, checked for `role`.
 */
export function resolveExtensions(options: ExtensionOptions, role: Role): Extension[] {
  const list = [...(options.extensions ?? [])];
  const deflate = options.perMessageDeflate;
  if (deflate !== undefined && deflate !== false) {
    if (list.some((extension) => extension?.name === PERMESSAGE_DEFLATE)) {
      throw optionTypeError('permessage-deflate is given twice: by the "perMessageDeflate" option and in "extensions"');
    }
    list.unshift(permessageDeflate(deflate === true ? {} : deflate));
  }
  checkExtensions(list, role);
  return list;
}
