/** The extension API (RFC 6455 §9): what an extension is, and permessage-deflate as one. */
export type { AgreedExtension, Extension, ExtensionParams, ExtensionResponse } from './extension.js';
export { permessageDeflate } from './permessage-deflate.js';
export type { ExtensionOptions } from './resolve.js';
