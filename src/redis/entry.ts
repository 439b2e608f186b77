import type { RedisArgument } from 'redis';
import type { BrokerMessage } from '../topics/broker.js';

/**
 * A publication as a Redis stream entry: `o` the publishing process's origin id, `s` its
 * sequence number there (increasing with each publication), `k` the kind and compression
 * hint, `d` the payload. Origin and sequence make each message unique: a reader delivers
 * it at most once, and a process skips its own.
 */
export interface StreamEntry {
  readonly origin: string;
  readonly seq: number;
  readonly message: BrokerMessage;
}

const KINDS = { text: 't', binary: 'b' } as const;
const HINTS = { true: 'c', false: 'n', undefined: '' } as const;

export function entryFields(origin: string, seq: number, message: BrokerMessage): RedisArgument[] {
  return ['o', origin, 's', String(seq), 'k', KINDS[message.kind] + HINTS[String(message.compress) as keyof typeof HINTS], 'd', message.payload];
}

/** Reads the fields of an entry (as Buffers); null for an entry some other writer made. */
export function readEntry(topic: string, fields: readonly Buffer[]): StreamEntry | null {
  let origin: string | undefined;
  let seq = NaN;
  let kind: string | undefined;
  let payload: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    switch (fields[i]!.toString('latin1')) {
      case 'o':
        origin = value.toString('latin1');
        break;
      case 's':
        seq = Number(value.toString('latin1'));
        break;
      case 'k':
        kind = value.toString('latin1');
        break;
      case 'd':
        payload = value;
        break;
    }
  }
  if (origin === undefined || !Number.isSafeInteger(seq) || payload === undefined || kind === undefined) return null;
  const type = kind[0] === 't' ? 'text' : kind[0] === 'b' ? 'binary' : null;
  if (type === null) return null;
  const compress = kind[1] === 'c' ? true : kind[1] === 'n' ? false : undefined;
  return { origin, seq, message: { topic, kind: type, payload, compress } };
}
