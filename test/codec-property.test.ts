/**
 * Round-trip properties of the frame codec: random message sequences (unicode text with
 * astral characters, binary up to ~200 KB, ping/pong, a final close), random fragment sizes,
 * both roles, and random re-chunkings of the wire bytes down to 1-byte chunks, through the
 * fused chains and through the separate Transforms. Expected messages come from the
 * generators, never from the codec.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EncoderInput, Message } from '../src/transforms/index.js';
import {
  chunkPlan,
  encodeWith,
  fragmentSize,
  messageSequence,
  partedMessage,
  peerRole,
  role,
  textMessage,
  type EncodePath,
  type Generated,
} from './helpers/codec-gen.js';
import { diffMessages } from './helpers/messages.js';
import { rechunk } from './helpers/rng.js';
import { decode, type DecodePath } from './helpers/decode.js';

/** Chunks per decode at most (about): keeps 1-byte chunkings of 200 KB streams affordable. */
const BUDGET = 3000;
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed, includeErrorInReport: true });

/** Snapshot of every binary input's bytes, to prove the encoder left the caller's buffers alone. */
function snapshot(inputs: readonly EncoderInput[]): Array<Buffer | null> {
  return inputs.map((input) => {
    const data = (input as { data?: unknown }).data;
    if (data === undefined || typeof data === 'string') return null;
    if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
    const view = data as ArrayBufferView;
    return Buffer.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  });
}

function assertUntouched(inputs: readonly EncoderInput[], before: Array<Buffer | null>): void {
  const after = snapshot(inputs);
  for (let i = 0; i < inputs.length; i++) {
    if (before[i] !== null) assert.ok(before[i]!.equals(after[i]!), `input ${i}: the encoder modified the caller's buffer`);
  }
}

async function roundTrip(
  encodePath: EncodePath,
  decodePath: DecodePath,
  generated: Generated,
  sender: 'client' | 'server',
  size: number | undefined,
  plan: number[],
): Promise<void> {
  const before = snapshot(generated.inputs);
  const bytes = await encodeWith(encodePath, generated.inputs, { role: sender, fragmentSize: size });
  assertUntouched(generated.inputs, before);
  const { messages, error } = await decode(rechunk(bytes, plan, BUDGET), { role: peerRole(sender) }, decodePath);
  const context = `${encodePath}→${decodePath}, ${sender}→${peerRole(sender)}, fragmentSize ${size}, chunks [${plan}]`;
  assert.is(error, null, `${context}: ${error?.message}`);
  const difference = diffMessages(messages, generated.expected);
  assert.is(difference, null, `${context}: ${difference}`);
}

test('fused: createEncoderCore / createEncoder → createDecoder gives back the messages in order', async () => {
  await fc.assert(
    fc.asyncProperty(
      messageSequence({ parted: true }),
      role,
      fragmentSize,
      chunkPlan,
      fc.constantFrom<EncodePath>('core', 'stream'),
      async (generated, sender, size, plan, encodePath) => roundTrip(encodePath, 'fused', generated, sender, size, plan),
    ),
    params(150),
  );
});

test('separate Transforms: MessageEncoder → Fragmenter → Masker → FrameSerializer → HeaderParser → … → MessageDecoder', async () => {
  await fc.assert(
    fc.asyncProperty(messageSequence({ parted: true }), role, fragmentSize, chunkPlan, async (generated, sender, size, plan) =>
      roundTrip('separate', 'separate', generated, sender, size, plan),
    ),
    params(120),
  );
});

test('a message written as several MessageParts, with ping/pong between them, comes back as one message', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(partedMessage, { minLength: 1, maxLength: 4 }),
      role,
      fragmentSize,
      chunkPlan,
      fc.constantFrom<EncodePath>('core', 'stream', 'separate'),
      fc.constantFrom<DecodePath>('fused', 'separate'),
      async (parts, sender, size, plan, encodePath, decodePath) => {
        const generated = { inputs: parts.flatMap((p) => p.inputs), expected: parts.flatMap((p) => p.expected) };
        await roundTrip(encodePath, decodePath, generated, sender, size, plan);
      },
    ),
    params(120),
  );
});

test('server role: the three encode paths write the same bytes', async () => {
  await fc.assert(
    fc.asyncProperty(messageSequence({ parted: true, maxLength: 5 }), fragmentSize, async (generated, size) => {
      const options = { role: 'server' as const, fragmentSize: size };
      const core = await encodeWith('core', generated.inputs, options);
      assert.ok(core.equals(await encodeWith('stream', generated.inputs, options)), 'createEncoder differs from createEncoderCore');
      assert.ok(core.equals(await encodeWith('separate', generated.inputs, options)), 'separate Transforms differ from createEncoderCore');
    }),
    params(60),
  );
});

test('the decoder output for a valid stream does not depend on the chunking', async () => {
  await fc.assert(
    fc.asyncProperty(
      messageSequence({ parted: true, maxLength: 6 }),
      role,
      fragmentSize,
      chunkPlan,
      fc.constantFrom<DecodePath>('fused', 'separate'),
      async (generated, sender, size, plan, decodePath) => {
        const bytes = await encodeWith('core', generated.inputs, { role: sender, fragmentSize: size });
        const options = { role: peerRole(sender) };
        const whole = await decode([Buffer.from(bytes)], options, decodePath);
        const chunked = await decode(rechunk(bytes, plan, BUDGET), options, decodePath);
        assert.is(whole.error, null, whole.error?.message);
        assert.is(chunked.error, null, chunked.error?.message);
        const difference = diffMessages(chunked.messages, whole.messages);
        assert.is(difference, null, `chunks [${plan}] vs whole: ${difference}`);
      },
    ),
    params(100),
  );
});

test('client frames are masked and server frames are not: a decoder of the sender\'s own role refuses them', async () => {
  await fc.assert(
    fc.asyncProperty(textMessage, role, fragmentSize, async (generated, sender, size) => {
      const bytes = await encodeWith('core', generated.inputs, { role: sender, fragmentSize: size });
      // Every frame carries the mask bit of its role (RFC 6455 §5.1, §5.3).
      const maskBit = bytes[1]! & 0x80;
      assert.is(maskBit, sender === 'client' ? 0x80 : 0);
      const { error } = await decode([bytes], { role: sender });
      assert.is(error?.closeCode, 1002);
    }),
    params(40),
  );
});

test('every length boundary round-trips in every encode/decode path combination', async () => {
  const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 200_000];
  const inputs: EncoderInput[] = sizes.map((n, i) => ({ type: 'binary', data: Buffer.alloc(n, i + 1) }));
  inputs.push({ type: 'text', data: '😀 ✓ κόσμε'.repeat(5000) });
  inputs.push({ type: 'close', code: 4999, reason: '𝄞'.repeat(30) });
  const expected: Message[] = [
    ...sizes.map((n, i) => ({ type: 'binary' as const, data: Buffer.alloc(n, i + 1) })),
    { type: 'text' as const, data: '😀 ✓ κόσμε'.repeat(5000) },
    { type: 'close' as const, code: 4999, reason: '𝄞'.repeat(30) },
  ];
  for (const encodePath of ['core', 'stream', 'separate'] as const) {
    for (const decodePath of ['fused', 'separate'] as const) {
      for (const sender of ['client', 'server'] as const) {
        for (const size of [undefined, 1000, 65_536]) {
          for (const plan of [[1 << 20], [7, 1, 3000]]) {
            await roundTrip(encodePath, decodePath, { inputs, expected }, sender, size, plan);
          }
        }
      }
    }
  }
});

test.run();
