import { boolean, integer, oneOf, required, type Schema } from '../validation/schema.js';
import type { Role } from './records.js';

/**
 * Largest message (after decompression) accepted by default: 100 MiB. Large enough for
 * real uploads, small enough that one connection cannot take the process's memory.
 * Exceeding it closes with 1009.
 */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

/**
 * Most frames one message may be split into by default. Fragments are assembled into one
 * contiguous buffer, so their count costs no memory; this bounds the CPU a peer can make
 * one message cost (a flood of 0-byte continuation frames). 16× the 65,536 fragments that
 * conformance suites send for a 4 MiB message. Exceeding it closes with 1009.
 */
export const DEFAULT_MAX_FRAGMENTS = 1 << 20;

/** Every limit of the decode chain, with the defaults above. */
export interface DecoderLimits {
  /** Largest message in bytes (after decompression); Infinity for none. Default {@link DEFAULT_MAX_PAYLOAD}. */
  maxPayload?: number;
  /** Most frames per message. Default {@link DEFAULT_MAX_FRAGMENTS}. */
  maxFragments?: number;
}

/** Which reserved header bits an extension gives meaning to (RFC 6455 §5.2). */
export interface ReservedBits {
  /** RSV1: set by permessage-deflate on compressed messages (RFC 7692 §6). */
  allowRsv1?: boolean;
  allowRsv2?: boolean;
  allowRsv3?: boolean;
}

/** Options of `createDecoder()`: the role, every limit and the reserved bits in one object. */
export interface DecoderOptions extends DecoderLimits, ReservedBits {
  /** A server requires masked frames, a client refuses them (RFC 6455 §5.1). */
  role: Role;
}

/** The checks of the decoder's options, shared by every stage that takes them. */
export const DECODER_LIMITS_SCHEMA: Schema = { maxPayload: integer(0, Infinity), maxFragments: integer(1) };
export const RESERVED_BITS_SCHEMA: Schema = { allowRsv1: boolean, allowRsv2: boolean, allowRsv3: boolean };
/** `role`, which the stages that mask or unmask cannot do without. */
export const ROLE_SCHEMA: Schema = { role: required(oneOf(['server', 'client'])) };
export const DECODER_SCHEMA: Schema = { ...DECODER_LIMITS_SCHEMA, ...RESERVED_BITS_SCHEMA, ...ROLE_SCHEMA };

export function resolveMaxPayload(options: DecoderLimits): number {
  return options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
}

export function resolveMaxFragments(options: DecoderLimits): number {
  return options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
}
