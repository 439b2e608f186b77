import type { CloseInfo } from './close-info.js';

/** How `connect$` reconnects after a close it did not ask for, or a failed attempt. */
export interface ReconnectOptions {
  /** Delay before the first retry, in ms. Default 500. */
  initialDelay?: number;
  /** The delay never exceeds this, in ms. Default 30 000. */
  maxDelay?: number;
  /** Each retry in a row waits this many times longer. Default 2. */
  factor?: number;
  /** The random part of each delay, 0 (none) to 1 (anywhere from 0 to the delay). Default 0.5. */
  jitter?: number;
  /** Retries in a row before giving up; the stream then errors. Default Infinity. */
  maxRetries?: number;
  /** A connection that stayed open this long (ms) resets the retry count. Default 5 000. */
  resetAfter?: number;
  /**
   * Whether to retry after this close or failed attempt. Default: yes, except after a
   * 1000 (normal closure) from the server, which says the conversation is over.
   */
  shouldReconnect?: (cause: CloseInfo | Error) => boolean;
  /** The random source, in [0, 1). Default Math.random; tests make it constant. */
  random?: () => number;
}

export type ReconnectPolicy = Required<ReconnectOptions>;

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
  maxRetries: Infinity,
  resetAfter: 5_000,
  shouldReconnect: (cause) => cause instanceof Error || cause.code !== 1000,
  random: Math.random,
};

export function reconnectPolicy(option: boolean | ReconnectOptions | undefined): ReconnectPolicy | null {
  if (!option) return null;
  return { ...DEFAULT_RECONNECT, ...(option === true ? {} : option) };
}

/**
 * The wait before retry number `retry` (0 for the first): exponential, capped, and
 * shortened by a random fraction of up to `jitter`, so that clients dropped together
 * do not all come back in the same instant.
 */
export function backoffDelay(retry: number, policy: ReconnectPolicy): number {
  const exponential = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** retry);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  return Math.round(exponential * (1 - jitter * policy.random()));
}
