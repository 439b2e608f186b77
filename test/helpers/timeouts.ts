/** Bounded waiting for tests: nothing in the interop and conformance suites waits forever. */
import type { EventEmitter } from 'node:events';

/** Rejects with `what` in the message if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The arguments of the next `event` on `emitter`, within `ms`. An 'error' event on the
 * emitter rejects (when waiting for something else). Listeners are removed either way.
 */
export function nextEvent<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms: number, what = `'${event}'`): Promise<T> {
  let cleanup = (): void => {};
  const waiting = new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args as T);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    cleanup = () => {
      emitter.off(event, onEvent);
      if (event !== 'error') emitter.off('error', onError);
    };
    emitter.on(event, onEvent);
    if (event !== 'error') emitter.on('error', onError);
  });
  return withTimeout(waiting, ms, what).finally(() => cleanup());
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds; rejects after `ms`. */
export async function eventually(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await delay(10);
  }
}

/** The next `type` event dispatched on an EventTarget (a WHATWG WebSocket, say), within `ms`. */
export function nextDomEvent<E extends Event = Event>(target: EventTarget, type: string, ms: number, what = `'${type}'`): Promise<E> {
  let listener: ((event: Event) => void) | undefined;
  const waiting = new Promise<E>((resolve) => {
    listener = (event) => resolve(event as E);
    target.addEventListener(type, listener, { once: true });
  });
  return withTimeout(waiting, ms, what).finally(() => target.removeEventListener(type, listener!));
}
