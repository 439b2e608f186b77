import { filter, map, pipe, tap, type OperatorFunction } from 'rxjs';
import { toError } from '../errors.js';
import type { DataMessage } from '../transforms/records.js';

/** A received message read as JSON: the value, or why it is not JSON (the stream goes on). */
export type JsonResult<T> = { ok: true; value: T } | { ok: false; error: Error; message: DataMessage };

/** A serializer: any JSON value → a text message. */
export function jsonSerializer(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('Value has no JSON form');
  return text;
}

/**
 * A deserializer that never throws: a frame that is not JSON (text or UTF-8 binary)
 * becomes `{ ok: false }` for that one value instead of erroring the whole stream.
 */
export function jsonDeserializer<T = unknown>(message: DataMessage): JsonResult<T> {
  try {
    const text = message.type === 'text' ? message.data : message.data.toString('utf8');
    return { ok: true, value: JSON.parse(text) as T };
  } catch (error) {
    return { ok: false, error: toError(error), message };
  }
}

/** Both JSON helpers, to spread into `connect$` options: `connect$(url, json<Event>())`. */
export function json<T = unknown>(): { serializer: (value: unknown) => string; deserializer: (message: DataMessage) => JsonResult<T> } {
  return { serializer: jsonSerializer, deserializer: jsonDeserializer<T> };
}

/** Keeps the values that parsed; hands each bad one to `onInvalid` (if given) instead of erroring. */
export function validJson<T>(onInvalid?: (bad: Extract<JsonResult<T>, { ok: false }>) => void): OperatorFunction<JsonResult<T>, T> {
  return pipe(
    tap((result) => {
      if (!result.ok) onInvalid?.(result);
    }),
    filter((result): result is Extract<JsonResult<T>, { ok: true }> => result.ok),
    map((result) => result.value),
  );
}
