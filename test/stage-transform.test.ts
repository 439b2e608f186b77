import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipeline, Readable, Writable } from 'node:stream';
import { Defragmenter, HeaderParser, MessageDecoder, Unmasker, type FramePart, type Message } from '../src/transforms/index.js';
import { collect } from './helpers/decode.js';
import { frame, MASK } from './helpers/frames.js';

const stream = Buffer.concat([
  frame({ opcode: 1, payload: 'one', mask: MASK }),
  frame({ opcode: 2, fin: false, payload: 'tw', mask: MASK }),
  frame({ opcode: 9, payload: 'p', mask: MASK }),
  frame({ opcode: 0, payload: 'o', mask: MASK }),
]);

test('batch: a stage pushes one array per input chunk, and the next stage accepts arrays', async () => {
  const parser = new HeaderParser({ batch: true });
  const output = collect<FramePart[]>(parser);
  parser.end(Buffer.from(stream));
  const batches = await output;
  assert.is(batches.length, 1, 'one input chunk, one batch');
  assert.equal(batches[0]!.map((part) => part.header.opcode), [1, 2, 9, 0]);
});

test('batched separate stages decode the same messages as single records', async () => {
  const run = (batch: boolean) =>
    new Promise<Message[]>((resolve, reject) => {
      const messages: Message[] = [];
      pipeline(
        Readable.from([Buffer.from(stream)]),
        new HeaderParser({ batch }),
        new Unmasker({ role: 'server', batch }),
        new Defragmenter({ batch }),
        new MessageDecoder(),
        new Writable({ objectMode: true, write: (message: Message, _e, cb) => (messages.push(message), cb()) }),
        (error) => (error ? reject(error) : resolve(messages)),
      );
    });
  const expected: Message[] = [{ type: 'text', data: 'one' }, { type: 'ping', data: Buffer.from('p') }, { type: 'binary', data: Buffer.from('two') }];
  assert.equal(await run(false), expected);
  assert.equal(await run(true), expected);
});

test('batch: records decoded before a violation go out before the error', async () => {
  const parser = new HeaderParser({ batch: true });
  const seen: number[] = [];
  parser.on('data', (batch: FramePart[]) => seen.push(...batch.map((part) => part.header.opcode)));
  const failure = new Promise<{ closeCode?: number }>((resolve) => parser.on('error', (error) => resolve(error as { closeCode?: number })));
  parser.write(Buffer.concat([frame({ opcode: 1, payload: 'ok' }), frame({ opcode: 4 })]));
  assert.is((await failure).closeCode, 1002);
  assert.equal(seen, [1]);
});

test.run();
