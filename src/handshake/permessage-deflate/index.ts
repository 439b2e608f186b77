export {
  PERMESSAGE_DEFLATE,
  MIN_WINDOW_BITS,
  MAX_WINDOW_BITS,
  MIN_DEFLATE_WINDOW_BITS,
  validateDeflateOptions,
  type PerMessageDeflateOptions,
  type NegotiatedDeflate,
} from './options.js';
export { readDeflateParams, type DeflateParams, type DeflateParamsResult } from './params.js';
export { acceptDeflateOffer, type DeflateAcceptance } from './server.js';
export { buildDeflateOffer, validateDeflateResponse } from './client.js';
