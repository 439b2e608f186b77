import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageAssembler } from '../src/transforms/decode/message-assembler.js';
import { MemoryBudget } from '../src/transforms/memory-budget.js';

test('a single part is returned as the same slice, uncopied', () => {
  const assembler = new MessageAssembler(1 << 20);
  const part = Buffer.from('whole');
  assembler.append(part);
  assert.is(assembler.take(), part);
  assert.is(assembler.length, 0);
});

test('many parts assemble in order into one buffer', () => {
  const assembler = new MessageAssembler(1 << 30);
  const parts = Array.from({ length: 5000 }, (_, i) => Buffer.alloc(i % 7, i & 0xff));
  for (const part of parts) assembler.append(part);
  assert.equal(assembler.take(), Buffer.concat(parts));
});

test('reserve sizes the buffer exactly once for an announced frame', () => {
  const assembler = new MessageAssembler(1 << 30);
  assembler.reserve(100_000);
  const pieces = [Buffer.alloc(65_536, 1), Buffer.alloc(34_464, 2)];
  for (const piece of pieces) assembler.append(piece);
  const result = assembler.take();
  assert.is(result.length, 100_000);
  assert.is(result.buffer.byteLength >= 100_000 && result.byteOffset === 0, true);
  assert.is((result.buffer as ArrayBuffer).byteLength, 100_000, 'no doubling slack');
  assert.equal(result, Buffer.concat(pieces));
});

test('reserve ignores claims above its limit: a header alone cannot reserve much memory', () => {
  const assembler = new MessageAssembler(1 << 30);
  assembler.reserve(1 << 30);
  assembler.append(Buffer.alloc(10));
  assembler.append(Buffer.alloc(10));
  assert.ok((assembler.take().buffer as ArrayBuffer).byteLength < 1 << 20);
});

test('with a budget: what it holds is reserved, given back on take and discard; a reservation that does not fit fails with 1013 and gives back at once', () => {
  const budget = new MemoryBudget(90_000);
  const a = new MessageAssembler(1 << 20, budget);
  a.append(Buffer.alloc(30_000));
  assert.is(budget.reserved, 30_000, 'the first slice');
  a.append(Buffer.alloc(10_000));
  assert.is(budget.reserved, 60_000, 'the doubled buffer');
  const b = new MessageAssembler(1 << 20, budget);
  b.append(Buffer.alloc(20_000));
  assert.is(budget.reserved, 80_000);
  a.append(Buffer.alloc(25_000)); // doubling to 80,000 does not fit: exactly 65,000 does
  assert.is(budget.reserved, 85_000);
  assert.throws(() => b.append(Buffer.alloc(20_000)), (error: Error & { closeCode?: number }) => error.closeCode === 1013);
  assert.is(budget.reserved, 65_000, "b's slice went back");
  assert.is(a.take().length, 65_000);
  assert.is(budget.reserved, 0);
  a.append(Buffer.alloc(5));
  a.discard();
  assert.is(budget.reserved, 0);
});

test.run();
