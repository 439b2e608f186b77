import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import { ZlibEngine, type EngineListener } from './zlib-engine.js';

/** What makes two zlib engines interchangeable once reset: their direction and parameters. */
export type EngineSpec =
  | { readonly kind: 'inflate'; readonly windowBits: number }
  | { readonly kind: 'deflate'; readonly windowBits: number; readonly level: number; readonly memLevel: number };

/** A string equal for interchangeable specs: the pool's key. */
export function specKey(spec: EngineSpec): string {
  return spec.kind === 'inflate' ? `inflate:${spec.windowBits}` : `deflate:${spec.windowBits}:${spec.level}:${spec.memLevel}`;
}

/** A new engine for `spec`; every write ends with a sync flush (RFC 7692 §7.2.1). */
export function openEngine(spec: EngineSpec, listener: EngineListener | null): ZlibEngine {
  const stream =
    spec.kind === 'inflate'
      ? createInflateRaw({ windowBits: spec.windowBits, flush: constants.Z_SYNC_FLUSH })
      : createDeflateRaw({ level: spec.level, memLevel: spec.memLevel, windowBits: spec.windowBits, flush: constants.Z_SYNC_FLUSH });
  return new ZlibEngine(stream, listener);
}
