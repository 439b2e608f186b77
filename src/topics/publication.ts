import { validateSendArguments, type SendOptions } from '../connection/connection.js';
import { dataPart } from '../transforms/encode/message-encoder.js';
import type { DataMessage } from '../transforms/records.js';
import { describe } from '../validation/schema.js';

/** Longest topic name, in UTF-16 code units: a topic is a key in maps here and in the broker. */
export const MAX_TOPIC_LENGTH = 1024;

/** One message published to a topic: its payload bytes, encoded once for every subscriber. */
export interface Publication {
  /** Tells publications apart, so that each frame profile frames each one once. */
  readonly seq: number;
  readonly topic: string;
  readonly kind: 'text' | 'binary';
  readonly payload: Buffer;
  /** `send()`'s per-message compression hint. */
  readonly compress: boolean | undefined;
}

let lastSeq = 0;

/** Throws a TypeError or RangeError naming the argument unless `topic` is a topic name. */
export function checkTopic(topic: unknown, name = 'topic'): asserts topic is string {
  if (typeof topic !== 'string') {
    throw coded(new TypeError(`The "${name}" argument must be a string. Received ${describe(topic)}`), 'ERR_INVALID_ARG_TYPE');
  }
  if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw coded(new RangeError(`The "${name}" argument must be a non-empty string of at most ${MAX_TOPIC_LENGTH} characters. Received ${describe(topic)}`), 'ERR_OUT_OF_RANGE');
  }
}

/**
 * Checks the arguments of a publish call, as `send()` checks its own, and encodes the
 * payload once: a string as UTF-8, bytes viewed without copying (bytes sent as text must
 * be valid UTF-8).
 */
export function publication(topic: unknown, data: unknown, options: SendOptions | undefined): Publication {
  checkTopic(topic);
  validateSendArguments(data, options);
  const binary = options?.binary ?? typeof data !== 'string';
  const kind = binary ? 'binary' : 'text';
  const compress = options?.compress;
  return { seq: ++lastSeq, topic, kind, payload: dataPart(kind, data, compress).data, compress };
}

/** A publication that came from another process (through the broker): already checked there. */
export function remotePublication(topic: string, kind: 'text' | 'binary', payload: Buffer, compress: boolean | undefined): Publication {
  return { seq: ++lastSeq, topic, kind, payload, compress };
}

/** The message as server-side listeners see it. */
export function messageOf(publication: Publication): DataMessage {
  return publication.kind === 'text' ? { type: 'text', data: publication.payload.toString('utf8') } : { type: 'binary', data: publication.payload };
}

function coded<E extends Error>(error: E, code: string): E & { code: string } {
  return Object.assign(error, { code });
}
