/**
 * Option checking for every entry point, at the call: a wrong type is a TypeError
 * (`ERR_INVALID_ARG_TYPE`), a value out of range a RangeError (`ERR_OUT_OF_RANGE`), each
 * naming the option by its path (`perMessageDeflate.level`) and what it accepts — as
 * Node's own APIs do. Each entry point declares its options once, as a {@link Schema};
 * options a schema does not name are left alone (Node's convention).
 */

/** Checks one value; throws a TypeError or RangeError naming `path`. */
export interface Check {
  /** What the check accepts, for messages: "an integer from 0 to 65535". */
  readonly accepts: string;
  /** Whether `value` has an acceptable type (a wrong type is a TypeError, a wrong value a RangeError). */
  typeOk(value: unknown): boolean;
  /** Checks a value of an acceptable type; throws a RangeError (or a nested option's error). */
  check(value: unknown, path: string): void;
  /** The option must be given (see {@link required}). */
  readonly required?: boolean;
}

/** The options of one entry point: each named option and its check. */
export type Schema = Readonly<Record<string, Check>>;

type CodedError = (TypeError | RangeError) & { code: string };

function typeError(path: string, accepts: string, value: unknown): CodedError {
  const error = new TypeError(`The "${path}" option must be ${accepts}. Received ${describe(value)}`) as CodedError;
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
}

/** A TypeError with Node's code, for checks of how options fit together (outside a schema). */
export function optionTypeError(message: string, code: 'ERR_INVALID_ARG_VALUE' | 'ERR_INVALID_ARG_TYPE' = 'ERR_INVALID_ARG_VALUE'): CodedError {
  const error = new TypeError(message) as CodedError;
  error.code = code;
  return error;
}

/** A RangeError with Node's code, for a value a schema cannot judge alone. */
export function optionRangeError(message: string): CodedError {
  const error = new RangeError(message) as CodedError;
  error.code = 'ERR_OUT_OF_RANGE';
  return error;
}

/** A RangeError naming the option, for checks that live outside a schema. */
export function rangeError(path: string, accepts: string, value: unknown): CodedError {
  const error = new RangeError(`The "${path}" option must be ${accepts}. Received ${describe(value)}`) as CodedError;
  error.code = 'ERR_OUT_OF_RANGE';
  return error;
}

/** A value as error messages show it: a short string, a function's name, an object's class. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return String(value);
}

/** Runs one check: the type first (TypeError), then the value (RangeError). */
export function checkValue(check: Check, value: unknown, path: string): void {
  if (!check.typeOk(value)) throw typeError(path, check.accepts, value);
  check.check(value, path);
}

/**
 * Checks every option `schema` names that `options` sets (undefined counts as not set).
 * `where` prefixes the paths of nested options.
 */
export function validateOptions(options: unknown, schema: Schema, where = 'options'): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw typeError(where, 'an object', options);
  const record = options as Record<string, unknown>;
  const prefix = where === 'options' ? '' : `${where}.`;
  for (const name of namesOf(schema)) {
    const value = record[name];
    const check = schema[name]!;
    if (value !== undefined || check.required === true) checkValue(check, value, prefix + name);
  }
}

/** The option names of each schema, listed once: connections check theirs on every handshake. */
const schemaNames = new WeakMap<Schema, readonly string[]>();

function namesOf(schema: Schema): readonly string[] {
  let names = schemaNames.get(schema);
  if (names === undefined) {
    names = Object.keys(schema);
    schemaNames.set(schema, names);
  }
  return names;
}

/** The same check, for an option that must be given. */
export function required(check: Check): Check {
  return { ...check, required: true };
}

/** The same check, also accepting null. */
export function nullable(check: Check): Check {
  return {
    accepts: `${check.accepts} or null`,
    typeOk: (value) => value === null || check.typeOk(value),
    check: (value, path) => {
      if (value !== null) check.check(value, path);
    },
  };
}

/** An integer in [min, max]; `Infinity` as max allows it. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Check {
  const accepts = max === Infinity ? `an integer >= ${min} (or Infinity)` : `an integer from ${min} to ${max}`;
  return {
    accepts,
    typeOk: (value) => typeof value === 'number',
    check(value, path) {
      const n = value as number;
      const whole = Number.isInteger(n) || (n === Infinity && max === Infinity);
      if (!whole || n < min || n > max) throw rangeError(path, accepts, value);
    },
  };
}

/** Milliseconds for a timer: Node's timers take at most 2^31 - 1. */
export function milliseconds(min = 1): Check {
  return integer(min, 2 ** 31 - 1);
}

/** Any number in [min, max]. */
export function numberIn(min: number, max: number): Check {
  const accepts = `a number from ${min} to ${max}`;
  return {
    accepts,
    typeOk: (value) => typeof value === 'number',
    check(value, path) {
      const n = value as number;
      if (!(n >= min && n <= max)) throw rangeError(path, accepts, value);
    },
  };
}

export const boolean: Check = { accepts: 'a boolean', typeOk: (value) => typeof value === 'boolean', check() {} };
export const func: Check = { accepts: 'a function', typeOk: (value) => typeof value === 'function', check() {} };

/** A string, optionally checked further by `valid` (a RangeError with `accepts` when it fails). */
export function string(valid?: (value: string) => boolean, accepts = 'a string'): Check {
  return {
    accepts,
    typeOk: (value) => typeof value === 'string',
    check(value, path) {
      if (valid && !valid(value as string)) throw rangeError(path, accepts, value);
    },
  };
}

/** One of the listed strings. */
export function oneOf(values: readonly string[]): Check {
  const accepts = `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
  return {
    accepts,
    typeOk: (value) => typeof value === 'string',
    check(value, path) {
      if (!values.includes(value as string)) throw rangeError(path, accepts, value);
    },
  };
}

/** An object whose own options follow `schema`. */
export function object(schema: Schema, accepts = 'an object'): Check {
  return {
    accepts,
    typeOk: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    check: (value, path) => validateOptions(value, schema, path),
  };
}

/** An object with the named methods (an Agent, an AbortSignal, an http server...). */
export function withMethods(accepts: string, ...methods: readonly string[]): Check {
  return {
    accepts,
    typeOk: (value) =>
      typeof value === 'object' && value !== null && methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    check() {},
  };
}

/** An array whose items all pass `item`. */
export function arrayOf(item: Check): Check {
  return {
    // Not "an array of <accepts>s": that breaks on "a string or a Buffer" and "an extension object ({ ... })".
    accepts: `an array, each item ${item.accepts}`,
    typeOk: Array.isArray,
    check(value, path) {
      (value as unknown[]).forEach((element, index) => checkValue(item, element, `${path}[${index}]`));
    },
  };
}

/** A value that passes the first check whose type fits. */
export function either(...checks: readonly Check[]): Check {
  return {
    accepts: checks.map((check) => check.accepts).join(' or '),
    typeOk: (value) => checks.some((check) => check.typeOk(value)),
    check(value, path) {
      checks.find((check) => check.typeOk(value))!.check(value, path);
    },
  };
}

/** Bytes: a Buffer, a typed array or DataView, or an ArrayBuffer. */
export const bytes: Check = {
  accepts: 'a Buffer, TypedArray, DataView or ArrayBuffer',
  typeOk: (value) => ArrayBuffer.isView(value) || value instanceof ArrayBuffer,
  check() {},
};
