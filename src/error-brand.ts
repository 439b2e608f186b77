/**
 * `instanceof` for error classes that works across copies of the library: the ESM and the
 * CommonJS build loaded in one process each define their own classes (the dual-package
 * hazard), so the prototype chain of one copy does not know the other's. A brand
 * registered with `Symbol.for` is the same in both.
 */
const BRAND_KEY = Symbol.for('wspipe.error.brand');

/** Marks `type`'s instances (and those of its subclasses) with a process-wide brand. */
export function brand(type: abstract new (...args: never[]) => Error, name: string): void {
  const key = Symbol.for(`wspipe.error.${name}`);
  Object.defineProperty(type.prototype, key, { value: true });
  Object.defineProperty(type, BRAND_KEY, { value: key });
}

/** `value instanceof type`, by brand: use it as the class's `static [Symbol.hasInstance]`. */
export function hasBrand(value: unknown, type: object): boolean {
  const key = (type as { [BRAND_KEY]?: symbol })[BRAND_KEY];
  return typeof value === 'object' && value !== null && key !== undefined && (value as Record<symbol, unknown>)[key] === true;
}
