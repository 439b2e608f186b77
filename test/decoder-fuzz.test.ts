/**
 * A bounded fuzz of the decode chain (the long version is test/fuzz/long-fuzz.ts, `npm run
 * fuzz`). Random byte streams and mutated valid streams, in random chunks, through the
 * fused core, the fused Duplex and the four separate Transforms, both roles, sometimes with
 * small limits. Every case must end without a throw or a hang, with well-formed messages,
 * and either cleanly or with a WebSocketError carrying 1002/1007/1009 (1006 when the input
 * ends mid-frame) — and, compared with an independent reference decoder, with the right
 * messages and the right close code. Also: memory stays bounded under a huge frame.
 */
import fc from 'fast-check';
import { Readable, Writable, pipeline, type Transform } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DecoderOptions, Message } from '../src/transforms/index.js';
import { frame, MASK } from './helpers/frames.js';
import {
  checkCase,
  describeCase,
  fuzzOne,
  generateCase,
  guardUncaught,
  referenceDecode,
  runCase,
  type FuzzCase,
  type FuzzPath,
} from './helpers/fuzz-gen.js';
import { diffMessages } from './helpers/messages.js';
import { decoderStages, type DecodePath } from './helpers/decode.js';

const TIMEOUT_MS = 2000;
const FIXED_SEEDS = 1200;
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

let guard: ReturnType<typeof guardUncaught>;
test.before(() => {
  guard = guardUncaught();
});
test.after(() => {
  guard.dispose();
});
test.after.each(() => {
  const escaped = guard.escaped.splice(0);
  assert.equal(escaped.map(String), [], 'something escaped as an uncaught exception or unhandled rejection');
});

/** Runs seeds, collects every failure, and fails once with a summary grouped by kind. */
async function fuzzSeeds(seeds: Iterable<number>): Promise<void> {
  const failures: string[] = [];
  const kinds = new Map<string, number>();
  let count = 0;
  for (const s of seeds) {
    count++;
    const { c, failure } = await fuzzOne(s, guard.escaped, TIMEOUT_MS);
    if (failure === null) continue;
    const kind = `${c.path}: ${failure.replace(/\(.*$/, '').slice(0, 100)}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    failures.push(`${describeCase(c)}\n    → ${failure}`);
  }
  if (failures.length > 0) {
    const summary = [...kinds].map(([kind, n]) => `  ${n} × ${kind}`).join('\n');
    assert.unreachable(`${failures.length} of ${count} cases failed:\n${summary}\nfirst ones:\n${failures.slice(0, 5).join('\n')}`);
  }
}

test('the reference decoder agrees with the generator on valid streams (checks the checker)', () => {
  for (let s = 1; s <= 400; s++) {
    const c = generateCase(s, 'valid');
    const reference = referenceDecode(c.bytes, { role: c.options.role });
    assert.is(reference.closeCode, null, `seed ${s}: ${reference.reason}`);
    const difference = diffMessages(reference.messages, c.intended!);
    assert.is(difference, null, `seed ${s}: ${difference}`);
  }
});

test(`fixed seeds 1…${FIXED_SEEDS}: no throw, no hang, valid messages, the right close code`, async () => {
  await fuzzSeeds(Array.from({ length: FIXED_SEEDS }, (_, i) => i + 1));
});

test('fast-check seeds: no throw, no hang, valid messages, the right close code', async () => {
  await fc.assert(
    fc.asyncProperty(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), async (s) => {
      const { c, failure } = await fuzzOne(s, guard.escaped, TIMEOUT_MS);
      assert.is(failure, null, `${describeCase(c)}: ${failure}`);
    }),
    { numRuns: 400, seed, includeErrorInReport: true },
  );
});

/** A case built by hand, run through every path with whole, 1-byte and mixed chunks. */
async function expectOutcome(
  name: string,
  bytes: Buffer,
  options: DecoderOptions,
  closeCode: number | null | number[],
  messages?: Message[],
  paths: FuzzPath[] = ['core', 'fused', 'separate'],
): Promise<void> {
  const allowed = Array.isArray(closeCode) ? closeCode : [closeCode];
  for (const path of paths) {
    for (const chunkPlan of [[bytes.length || 1], [1], [3, 1, 7]]) {
      const c: FuzzCase = { seed: -1, mode: 'mutated', path, options, bytes, chunkPlan, mutations: [name] };
      const outcome = await runCase(c, TIMEOUT_MS);
      const context = `${name} (${path}, ${options.role}, chunks [${chunkPlan}])`;
      // Asserted against the hand-written expectation first, then the reference's finer checks.
      const error = outcome.error as { closeCode?: number; message?: string } | null;
      const actual = error?.closeCode ?? null;
      assert.ok(allowed.includes(actual), `${context}: ${error?.message ?? 'no error'}: close code ${actual}, expected ${allowed.join(' or ')}`);
      if (messages) {
        const difference = diffMessages(outcome.messages, messages, actual !== null && path !== 'core');
        assert.is(difference, null, `${context}: ${difference}`);
      }
      assert.is(checkCase(c, outcome), null, context);
    }
  }
}

const server: DecoderOptions = { role: 'server' };
const client: DecoderOptions = { role: 'client' };
const m = (spec: Parameters<typeof frame>[0]) => frame({ mask: MASK, ...spec });
const ping = m({ opcode: 0x9, payload: 'p' });

test('header field tweaks: opcodes, RSV bits, mask bit, FIN on control frames', async () => {
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    await expectOutcome(`opcode ${opcode}`, Buffer.concat([ping, m({ opcode, payload: 'x' })]), server, 1002, [{ type: 'ping', data: Buffer.from('p') }]);
  }
  for (const bit of ['rsv1', 'rsv2', 'rsv3'] as const) {
    await expectOutcome(bit, m({ opcode: 0x1, payload: 'x', [bit]: true }), server, 1002);
  }
  // Allowed by an extension: RSV2/RSV3 pass; RSV1 still needs an inflate stage (RFC 7692 §6).
  const extension: DecoderOptions = { role: 'server', allowRsv1: true, allowRsv2: true, allowRsv3: true };
  await expectOutcome('rsv2 allowed', m({ opcode: 0x2, payload: 'x', rsv2: true }), extension, null, [{ type: 'binary', data: Buffer.from('x') }]);
  await expectOutcome('rsv3 allowed', m({ opcode: 0x1, payload: 'x', rsv3: true }), extension, null, [{ type: 'text', data: 'x' }]);
  await expectOutcome('rsv1 allowed, no inflate', m({ opcode: 0x2, payload: 'x', rsv1: true }), extension, 1002);
  await expectOutcome('rsv1 on a ping, allowed', m({ opcode: 0x9, rsv1: true }), extension, 1002);
  await expectOutcome('unmasked to a server', frame({ opcode: 0x2, payload: 'x' }), server, 1002);
  await expectOutcome('masked to a client', m({ opcode: 0x2, payload: 'x' }), client, 1002);
  await expectOutcome('empty masked to a client', m({ opcode: 0xa }), client, 1002);
  for (const opcode of [0x8, 0x9, 0xa]) {
    await expectOutcome(`unfinished control ${opcode}`, m({ opcode, fin: false }), server, 1002);
    await expectOutcome(`control ${opcode} of 126 bytes`, m({ opcode, payload: Buffer.alloc(126) }), server, 1002);
    await expectOutcome(`control ${opcode} with a 16-bit length`, m({ opcode, payload: Buffer.alloc(5), lengthBits: 16 }), server, 1002);
    const full = opcode === 0x8 ? Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.alloc(123, 0x30)]) : Buffer.alloc(125, 0x30);
    const message: Message = opcode === 0x8 ? { type: 'close', code: 1000, reason: '0'.repeat(123) } : { type: opcode === 0x9 ? 'ping' : 'pong', data: full };
    await expectOutcome(`control ${opcode} of 125 bytes`, m({ opcode, payload: full }), server, null, [message]);
  }
});

test('header field tweaks: lengths — non-minimal, 64-bit with the high bit set, beyond 2^53, lying', async () => {
  await expectOutcome('5 bytes in 16 bits', m({ opcode: 0x2, payload: Buffer.alloc(5), lengthBits: 16 }), server, 1002);
  await expectOutcome('5 bytes in 64 bits', m({ opcode: 0x2, payload: Buffer.alloc(5), lengthBits: 64 }), server, 1002);
  await expectOutcome('65535 bytes in 64 bits', frame({ opcode: 0x2, payload: Buffer.alloc(65_535), lengthBits: 64 }), client, 1002);
  await expectOutcome('126 bytes in 16 bits', frame({ opcode: 0x2, payload: Buffer.alloc(126, 1), lengthBits: 16 }), client, null, [{ type: 'binary', data: Buffer.alloc(126, 1) }]);
  for (const announced of [2n ** 63n, 2n ** 64n - 1n, 2n ** 63n + 65_536n]) {
    await expectOutcome(`length ${announced}`, m({ opcode: 0x2, announcedLength: announced, lengthBits: 64 }), server, 1002);
  }
  for (const announced of [2n ** 53n, 2n ** 62n, (2n ** 63n) - 1n]) {
    await expectOutcome(`length ${announced}`, m({ opcode: 0x2, announcedLength: announced, lengthBits: 64 }), server, 1009);
  }
  // Announced but never sent: the input ends inside the frame (1006), unless the decoder
  // refuses a frame announcing more than maxPayload (100 MiB by default) at its header (1009).
  for (const announced of [2n ** 53n - 1n, 2n ** 40n, 2n ** 32n, 65_536n]) {
    const closeCode = announced > 100n * 1024n * 1024n ? [1006, 1009] : 1006;
    await expectOutcome(`length ${announced}, no payload`, m({ opcode: 0x2, announcedLength: announced, lengthBits: 64 }), server, closeCode);
    // The input ends after the violation: the separate Transforms are checked for that below.
    const over = Buffer.concat([m({ opcode: 0x2, announcedLength: announced, lengthBits: 64 }), Buffer.alloc(11)]);
    await expectOutcome(`length ${announced}, maxPayload 10`, over, { role: 'server', maxPayload: 10 }, 1009, [], ['core', 'fused']);
  }
  // A length shorter than the payload: 'c' (0x63: RSV1, RSV2, opcode 3) is read as the next header.
  const short = Buffer.concat([frame({ opcode: 0x2, payload: 'abc', announcedLength: 2 }), frame({ opcode: 0x1, payload: 'x'.repeat(20) })]);
  await expectOutcome('length too short', short, client, 1002, [{ type: 'binary', data: Buffer.from('ab') }]);
});

test('truncation anywhere in a valid stream ends with 1006, after the complete messages', async () => {
  const stream = Buffer.concat([m({ opcode: 0x1, payload: 'hello' }), m({ opcode: 0x2, fin: false, payload: Buffer.alloc(300, 7) }), ping, m({ opcode: 0x0, payload: 'end' })]);
  const reference = referenceDecode(stream, server);
  assert.is(reference.closeCode, null);
  assert.is(reference.messages.length, 3);
  for (let cut = 1; cut < stream.length; cut += cut < 20 ? 1 : 37) {
    const truncated = stream.subarray(0, cut);
    const expected: Message[] = [{ type: 'text', data: 'hello' }];
    if (cut >= 11 + 308 + 7) expected.push({ type: 'ping', data: Buffer.from('p') });
    await expectOutcome(`cut at ${cut}`, Buffer.from(truncated), server, cut === 11 ? null : 1006, cut < 11 ? [] : expected);
  }
});

test('separate Transforms: a violation followed by the end of the input reports the violation, not 1006', async () => {
  // Found by the fuzzer. Each input breaks a rule and then ends inside a frame. The fused
  // decoder reports the violation; the four separate Transforms fed by Readable.from report
  // HeaderParser's end-of-input error (1006) instead: the downstream stage does raise its
  // error first, but its 'error' event comes after the one of HeaderParser's _flush, and
  // pipeline() reports the first 'error' event.
  const cases: Array<[string, Buffer, DecoderOptions, number]> = [
    ['masked frame to a client (§5.1), cut short', Buffer.from('818537fa213d7f', 'hex'), client, 1002],
    ['text with invalid UTF-8 (§8.1), cut short', frame({ opcode: 0x1, payload: Uint8Array.from([0x41, 0xff, 0x41]), announcedLength: 10 }), client, 1007],
    ['binary over maxPayload 10, cut short', frame({ opcode: 0x2, payload: Buffer.alloc(20), announcedLength: 1000 }), { role: 'client', maxPayload: 10 }, 1009],
    ['close code 1005 on the wire (§7.4.1), then half a header', Buffer.from('880203ed81', 'hex'), client, 1002],
    ['complete text frame with invalid UTF-8, then half a header', Buffer.from('8101ff82', 'hex'), client, 1007],
  ];
  const wrong: string[] = [];
  for (const [name, bytes, options, closeCode] of cases) {
    assert.is(referenceDecode(bytes, options).closeCode, closeCode, `reference: ${name}`);
    for (const path of ['fused', 'separate'] as DecodePath[]) {
      const outcome = await runCase({ seed: -1, mode: 'mutated', path, options, bytes, chunkPlan: [bytes.length], mutations: [] });
      const error = outcome.error as { closeCode?: number; code?: string } | null;
      if (error?.closeCode !== closeCode) wrong.push(`${path}: ${name} (${bytes.toString('hex')}): ${error?.code}/${error?.closeCode}, expected ${closeCode}`);
    }
  }
  assert.equal(wrong, []);
});

/** The global `gc`, exposed at run time (uvu runs without --expose-gc). */
function getGc(): (options?: { type: 'major' | 'minor' }) => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
}

test('memory stays bounded: a 2^40-byte frame fed in 200 × 64 KiB chunks, maxPayload 1 MiB → 1009', async () => {
  const gc = getGc();
  const CHUNK = 64 * 1024;
  const variants: Array<{ name: string; head: Buffer; continuation?: boolean; options: DecoderOptions }> = [
    { name: 'binary, masked, server', head: m({ opcode: 0x2, announcedLength: 2n ** 40n, lengthBits: 64 }), options: { role: 'server', maxPayload: 1 << 20 } },
    { name: 'text, unmasked, client', head: frame({ opcode: 0x1, announcedLength: 2n ** 40n, lengthBits: 64 }), options: { role: 'client', maxPayload: 1 << 20 } },
    // The same bytes as a fragmented message: one 64 KiB frame per chunk.
    { name: '64 KiB fragments', head: Buffer.alloc(0), continuation: true, options: { role: 'client', maxPayload: 1 << 20 } },
  ];
  for (const variant of variants) {
    for (const path of ['fused', 'separate'] as DecodePath[]) {
      // Let the previous pipeline's streams go, so that `base` holds no garbage of theirs.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      gc({ type: 'minor' });
      const base = process.memoryUsage().arrayBuffers;
      let peak = base;
      let fed = 0;
      function* chunks(): Generator<Buffer> {
        if (variant.head.length > 0) yield Buffer.from(variant.head);
        for (let i = 0; i < 200; i++) {
          // Live memory only: the garbage of consumed chunks (young) is collected before each sample.
          gc({ type: 'minor' });
          peak = Math.max(peak, process.memoryUsage().arrayBuffers);
          fed++;
          yield variant.continuation ? frame({ opcode: i === 0 ? 0x2 : 0x0, fin: false, payload: Buffer.alloc(CHUNK - 4, 0x61) }) : Buffer.alloc(CHUNK, 0x61);
        }
      }
      const error = await new Promise<{ closeCode?: number } | null>((resolve) => {
        const sink = new Writable({ objectMode: true, write: (_m, _e, callback) => callback() });
        const stages = decoderStages(path, variant.options);
        pipeline([Readable.from(chunks(), { objectMode: false }), ...stages, sink] as unknown as [Readable, ...Transform[], Writable], (e) =>
          resolve(e as { closeCode?: number } | null),
        );
      });
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      const context = `${variant.name}, ${path}`;
      assert.is(error?.closeCode, 1009, context);
      // 1 MiB is 16 chunks: the error comes within a few chunks of the limit, not at the end.
      // 1 MiB is 16 chunks: the fused decoder fails within a few chunks of the limit. Four
      // separate Transforms hold up to 16 records on each side of each object-mode boundary,
      // so they read ahead by ~6 MiB (measured: 96 chunks) before the error arrives.
      const maxChunks = path === 'fused' ? 20 : 128;
      assert.ok(fed <= maxChunks, `${context}: ${fed} chunks were read before the error`);
      // Live memory (collected before each sample): the 1 MiB message buffer, chunks in flight.
      const grown = peak - base;
      const maxGrowth = (path === 'fused' ? 4 : 10) * 1024 * 1024;
      assert.ok(grown < maxGrowth, `${context}: arrayBuffers grew by ${(grown / 1048576).toFixed(1)} MiB`);
    }
  }
});

test.run();
