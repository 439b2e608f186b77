/**
 * Cross-check of the frame codec against a peer we did not write: `ws`'s Receiver parses
 * what our encoder writes, and our decoder parses what `ws`'s Sender writes. Both roles,
 * fragmented and whole messages, sizes on every length-encoding boundary up to 1 MiB.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EncoderInput, Message, Role } from '../src/transforms/index.js';
import { binaryBuffer, chunkPlan, closeMessage, controlMessage, encodeWith, fragmentSize, messageSequence, unicodeText, type EncodePath } from './helpers/codec-gen.js';
import { diffMessages } from './helpers/messages.js';
import { fillBytes, rechunk } from './helpers/rng.js';
import { decode, type DecodePath } from './helpers/decode.js';
import { collectingSender, Receiver, type WsSender } from './helpers/ws-peer.js';

const SIZES = [0, 125, 126, 65_535, 65_536, 1 << 20];
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

/** Feeds bytes to ws's Receiver (the peer of `sender`) and turns its events into Messages. */
function receiveWithWs(chunks: Buffer[], sender: Role): { messages: Message[]; errors: Error[] } {
  // Our client masks, so ws must act as a server (requires masks), and vice versa.
  const receiver = new Receiver({ isServer: sender === 'client', maxPayload: 0 });
  const messages: Message[] = [];
  const errors: Error[] = [];
  receiver.on('message', (data, isBinary) => {
    messages.push(isBinary ? { type: 'binary', data: Buffer.from(data) } : { type: 'text', data: data.toString('utf8') });
  });
  receiver.on('ping', (data) => messages.push({ type: 'ping', data: Buffer.from(data) }));
  receiver.on('pong', (data) => messages.push({ type: 'pong', data: Buffer.from(data) }));
  receiver.on('conclude', (code, reason) => {
    // ws reports a close frame without a status code as 1005 with an empty reason.
    messages.push(code === 1005 ? { type: 'close', reason: '' } : { type: 'close', code, reason: reason.toString('utf8') });
  });
  receiver.on('error', (error) => errors.push(error));
  for (const chunk of chunks) {
    // ws ends the Receiver itself after a close frame; nothing follows a close here.
    receiver.write(chunk);
  }
  return { messages, errors };
}

function sizedMessages(): { inputs: EncoderInput[]; expected: Message[] } {
  const inputs: EncoderInput[] = [];
  const expected: Message[] = [];
  for (const size of SIZES) {
    const bytes = fillBytes(Buffer.allocUnsafe(size), size + 1);
    inputs.push({ type: 'binary', data: bytes });
    expected.push({ type: 'binary', data: Buffer.from(bytes) });
    // Text of exactly `size` UTF-8 bytes with 4-byte characters in it.
    const text = '😀é'.repeat(Math.floor(size / 6)) + 'x'.repeat(size % 6);
    assert.is(Buffer.byteLength(text), size);
    inputs.push({ type: 'text', data: text });
    expected.push({ type: 'text', data: text });
  }
  for (const size of [0, 1, 124, 125]) {
    const bytes = fillBytes(Buffer.allocUnsafe(size), size + 7);
    inputs.push({ type: 'ping', data: bytes }, { type: 'pong', data: bytes });
    expected.push({ type: 'ping', data: Buffer.from(bytes) }, { type: 'pong', data: Buffer.from(bytes) });
  }
  return { inputs, expected };
}

const closes: Array<{ input: EncoderInput; expected: Message }> = [
  { input: { type: 'close', code: 1000, reason: '' }, expected: { type: 'close', code: 1000, reason: '' } },
  { input: { type: 'close', code: 4999, reason: 'fin ✓ 😀'.repeat(10) }, expected: { type: 'close', code: 4999, reason: 'fin ✓ 😀'.repeat(10) } },
  { input: { type: 'close', reason: '' }, expected: { type: 'close', reason: '' } },
  { input: { type: 'close', code: 1014, reason: 'x'.repeat(123) }, expected: { type: 'close', code: 1014, reason: 'x'.repeat(123) } },
];

test('(a) ws Receiver parses our frames: sizes 0…1 MiB, text/binary/ping/pong/close, both roles, fragmented', async () => {
  const { inputs, expected } = sizedMessages();
  for (const sender of ['client', 'server'] as const) {
    for (const [index, size] of [undefined, 1, 125, 4096, 65_536].entries()) {
      // Each close shape once per role; the encode path varies too.
      const close = closes[(index + (sender === 'client' ? 0 : 2)) % closes.length]!;
      const encodePath: EncodePath = size === 4096 ? 'separate' : size === 1 ? 'stream' : 'core';
      // fragmentSize 1 turns 1 MiB into a million frames: keep that for the small messages.
      const small = (length: number) => size !== 1 || length <= 126;
      const subset = inputs.filter((input) => small(Buffer.byteLength((input as { data?: string | Buffer }).data ?? '')));
      const want = expected.filter((message) => small(message.type === 'close' ? 0 : Buffer.byteLength(message.data)));
      assert.is(subset.length, want.length);
      const bytes = await encodeWith(encodePath, [...subset, close.input], { role: sender, fragmentSize: size });
      for (const plan of [[bytes.length], [1, 2, 3, 70_000]]) {
        const { messages, errors } = receiveWithWs(rechunk(bytes, plan, 20_000), sender);
        const context = `${sender}, fragmentSize ${size}, ${encodePath}, chunks [${plan}]`;
        assert.equal(errors.map((e) => e.message), [], context);
        const difference = diffMessages(messages, [...want, close.expected]);
        assert.is(difference, null, `${context}: ${difference}`);
      }
    }
  }
});

test('(a) ws Receiver parses our frames: random sequences, fragment sizes and chunkings', async () => {
  await fc.assert(
    fc.asyncProperty(
      messageSequence({ parted: true }),
      fc.constantFrom<Role>('client', 'server'),
      fragmentSize,
      chunkPlan,
      fc.constantFrom<EncodePath>('core', 'stream', 'separate'),
      async (generated, sender, size, plan, encodePath) => {
        const bytes = await encodeWith(encodePath, generated.inputs, { role: sender, fragmentSize: size });
        const { messages, errors } = receiveWithWs(rechunk(bytes, plan, 3000), sender);
        assert.equal(errors.map((e) => e.message), []);
        const difference = diffMessages(messages, generated.expected);
        assert.is(difference, null, `${sender}, fragmentSize ${size}, ${encodePath}: ${difference}`);
      },
    ),
    { numRuns: 100, seed, includeErrorInReport: true },
  );
});

/** One step of what ws's Sender is asked to write, and what our decoder must report for it. */
type SendStep =
  | { op: 'message'; kind: 'text' | 'binary'; data: Buffer; fragments: number[]; asString: boolean; controls: Array<{ type: 'ping' | 'pong'; data: Buffer } | null> }
  | { op: 'ping' | 'pong'; data: Buffer }
  | { op: 'close'; code?: number; reason: string };

/** Writes `steps` with ws's Sender; `mask` when ws plays the client. */
function sendWithWs(steps: SendStep[], mask: boolean): { bytes: Buffer; expected: Message[] } {
  const { sender, written } = collectingSender();
  const expected: Message[] = [];
  for (const step of steps) writeStep(sender, step, mask, expected);
  return { bytes: Buffer.concat(written), expected };
}

function writeStep(sender: WsSender, step: SendStep, mask: boolean, expected: Message[]): void {
  if (step.op === 'close') {
    sender.close(step.code, step.code === undefined ? undefined : step.reason, mask);
    expected.push(step.code === undefined ? { type: 'close', reason: '' } : { type: 'close', code: step.code, reason: step.reason });
    return;
  }
  if (step.op !== 'message') {
    const type = step.op;
    if (type === 'ping') sender.ping(Buffer.from(step.data), mask);
    else sender.pong(Buffer.from(step.data), mask);
    expected.push({ type, data: Buffer.from(step.data) });
    return;
  }
  const binary = step.kind === 'binary';
  // Cut points (sorted, within the data) make fragments; `fin: false` on all but the last.
  const cuts = [...new Set(step.fragments.map((f) => f % (step.data.length + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < step.data.length), step.data.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const piece = Buffer.from(step.data.subarray(bounds[i]!, bounds[i + 1]!));
    const fin = i + 2 === bounds.length;
    // A string piece is masked in a copy by ws; text pieces cut inside a code point stay Buffers.
    const asString = step.asString && !binary && fin && i === 0;
    sender.send(asString ? piece.toString('utf8') : piece, { binary, fin, mask, compress: false });
    const control = step.controls[i];
    if (!fin && control) {
      if (control.type === 'ping') sender.ping(Buffer.from(control.data), mask);
      else sender.pong(Buffer.from(control.data), mask);
      expected.push({ type: control.type, data: Buffer.from(control.data) });
    }
  }
  expected.push(binary ? { type: 'binary', data: Buffer.from(step.data) } : { type: 'text', data: step.data.toString('utf8') });
}

async function decodeWsBytes(bytes: Buffer, expected: Message[], wsIsClient: boolean, plans: number[][], budget: number): Promise<void> {
  // ws masks as a client, so our decoder plays the server; unmasked frames go to our client.
  const role: Role = wsIsClient ? 'server' : 'client';
  for (const path of ['fused', 'separate'] as DecodePath[]) {
    for (const plan of plans) {
      const { messages, error } = await decode(rechunk(bytes, plan, budget), { role }, path);
      const context = `ws as ${wsIsClient ? 'client' : 'server'} → our ${role}, ${path}, chunks [${plan}]`;
      assert.is(error, null, `${context}: ${error?.message}`);
      const difference = diffMessages(messages, expected);
      assert.is(difference, null, `${context}: ${difference}`);
    }
  }
}

test('(b) our decoder parses ws Sender frames: sizes 0…1 MiB, fragments, ping/pong between fragments, close', async () => {
  for (const wsIsClient of [true, false]) {
    const steps: SendStep[] = [];
    for (const size of SIZES) {
      const bytes = fillBytes(Buffer.allocUnsafe(size), size + 3);
      steps.push({ op: 'message', kind: 'binary', data: bytes, fragments: [], asString: false, controls: [] });
      const text = Buffer.from('κόσμε😀'.repeat(Math.ceil(size / 14)).slice(0, size));
      steps.push({ op: 'message', kind: 'text', data: text, fragments: [], asString: true, controls: [] });
      // Fragmented at 1, 125 and 65,536 bytes in, with a ping and a pong between fragments.
      steps.push({
        op: 'message',
        kind: size % 2 === 0 ? 'binary' : 'text',
        data: size % 2 === 0 ? bytes : text,
        fragments: [1, 125, 65_536],
        asString: false,
        controls: [{ type: 'ping', data: Buffer.from('between') }, null, { type: 'pong', data: Buffer.alloc(125, 0x7a) }],
      });
    }
    steps.push({ op: 'ping', data: Buffer.alloc(0) }, { op: 'pong', data: Buffer.alloc(125, 1) }, { op: 'ping', data: Buffer.from('p') });
    const { bytes, expected } = sendWithWs([...steps, { op: 'close', code: 3000, reason: 'bye 😀' }], wsIsClient);
    await decodeWsBytes(bytes, expected, wsIsClient, [[bytes.length], [1, 3, 64, 65_536]], 20_000);
    // The other close shapes, each after a short exchange.
    const shapes = wsIsClient ? [{ code: 1000, reason: '' }, { reason: '' }] : [{ code: 4999, reason: 'r'.repeat(123) }, { code: 1011, reason: '' }];
    for (const close of shapes) {
      const short = sendWithWs([steps[0]!, steps[5]!, { op: 'close', ...close }], wsIsClient);
      await decodeWsBytes(short.bytes, short.expected, wsIsClient, [[short.bytes.length], [1]], 20_000);
    }
  }
});

test('(b) our decoder parses ws Sender frames: random sequences, fragmentations and chunkings', async () => {
  const dataStep: fc.Arbitrary<SendStep> = fc
    .tuple(
      fc.oneof(
        unicodeText.map((text) => ({ kind: 'text' as const, data: Buffer.from(text) })),
        binaryBuffer().map((data) => ({ kind: 'binary' as const, data })),
      ),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.boolean(),
      fc.array(fc.option(controlMessage.map(({ expected }) => expected as { type: 'ping' | 'pong'; data: Buffer })), { minLength: 7, maxLength: 7 }),
    )
    .map(([message, fragments, asString, controls]) => ({ op: 'message', ...message, fragments, asString, controls }));
  const controlStep: fc.Arbitrary<SendStep> = controlMessage.map(({ expected }) => ({ op: expected.type as 'ping' | 'pong', data: (expected as { data: Buffer }).data }));
  const closeStep: fc.Arbitrary<SendStep> = closeMessage.map(({ expected }) => {
    const close = expected[0] as Extract<Message, { type: 'close' }>;
    return close.code === undefined ? { op: 'close', reason: '' } : { op: 'close', code: close.code, reason: close.reason };
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof({ arbitrary: dataStep, weight: 3 }, { arbitrary: controlStep, weight: 1 }), { maxLength: 8 }),
      fc.option(closeStep),
      fc.boolean(),
      chunkPlan,
      async (steps, close, wsIsClient, plan) => {
        const { bytes, expected } = sendWithWs(close ? [...steps, close] : steps, wsIsClient);
        await decodeWsBytes(bytes, expected, wsIsClient, [plan], 2000);
      },
    ),
    { numRuns: 100, seed, includeErrorInReport: true },
  );
});

test.run();
