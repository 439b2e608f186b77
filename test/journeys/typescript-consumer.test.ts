/**
 * Journey (f), from the packed package: a TypeScript consumer, as ESM (`.ts` in a
 * `"type": "module"` project) and as CommonJS (`.cts`), importing from every subpath of
 * the exports map, type-checked by the repository's tsc with moduleResolution NodeNext
 * against the installed declarations (skipLibCheck off, so the .d.ts files are checked
 * too). `@ts-expect-error` lines prove the types are real: were anything `any`, they fail.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packedPackage } from '../helpers/packed-package.js';
import { runTsc } from '../helpers/tsc.js';

const SUBPATHS = ['index', 'transforms/index', 'handshake/index', 'rx/index', 'redis/index'];

const ESM_CONSUMER = `
import { connect, createServer, WebSocket, WebSocketError, HandshakeError, type Connection, type Message } from 'wspipe';
import { createDecoder, HeaderParser, type FramePart, type MessagePart } from 'wspipe/transforms';
import { acceptKey, validateUpgradeRequest, type UpgradeRequestInfo } from 'wspipe/handshake';
import { connect$, connections$, messages$, topic$, CloseError, type SocketSubject } from 'wspipe/rx';
import { createRedisBroker, type RedisBroker } from 'wspipe/redis';
import manifest from 'wspipe/package.json' with { type: 'json' };
import type { Observable } from 'rxjs';

export const version: string = manifest.version;
export const key: string = acceptKey('dGhlIHNhbXBsZSBub25jZQ==');
export const info: (request: { method: string; httpVersion: string; headers: Record<string, string> }) => UpgradeRequestInfo = validateUpgradeRequest;
export const parser: HeaderParser = new HeaderParser();
export function onPart(part: FramePart | MessagePart): number {
  return part.data.length;
}

const server = createServer({ host: '127.0.0.1', port: 0 }, (connection: Connection) => {
  connection.on('message', (message) => {
    const text: string = message.type === 'text' ? message.data : message.data.toString('hex');
    connection.send(text);
  });
});
export const accepted: Observable<Connection> = connections$(server);
export const subject: SocketSubject = connect$('ws://127.0.0.1:1/');
export const broker: RedisBroker = createRedisBroker({ url: 'redis://127.0.0.1:1', maxPending: 100 });
export const fanout = createServer({ noServer: true, broker, maxBackpressure: 1 << 20, onBackpressure: 'close' });
export const reached: number = fanout.publish('room', 'hi', { compress: false });
export const said: Observable<Message> = topic$(fanout, 'room');
export async function talk(url: string): Promise<Message[]> {
  const connection = await connect(url, { protocols: ['chat'], perMessageDeflate: true });
  const received: Message[] = [];
  for await (const message of connection) received.push(message);
  messages$(connection).subscribe({ error: (error: unknown) => error instanceof CloseError && error.code });
  return received;
}
export function classify(error: unknown): number | string {
  if (error instanceof WebSocketError) return error.closeCode;
  if (error instanceof HandshakeError) return error.code;
  return 0;
}
export const decoder = createDecoder({ role: 'server', maxPayload: 1024 });
export const socket = new WebSocket('ws://127.0.0.1:1/', ['chat'], { handshakeTimeout: 1000 });

// @ts-expect-error: port is a number
createServer({ port: '9001' });
// @ts-expect-error: a Connection sends strings and bytes, not numbers
server.connections.forEach((connection) => connection.send(42));
// @ts-expect-error: acceptKey returns a string
export const notANumber: number = acceptKey('x');
// @ts-expect-error: a slow subscriber is skipped or closed, nothing else
createServer({ onBackpressure: 'drop' });
`;

const CJS_CONSUMER = `
import wspipe = require('wspipe');
import transforms = require('wspipe/transforms');
import handshake = require('wspipe/handshake');
import rx = require('wspipe/rx');
import redis = require('wspipe/redis');
import manifest = require('wspipe/package.json');

const server: wspipe.WebSocketServer = wspipe.createServer({ noServer: true });
const message: transforms.Message = { type: 'text', data: 'hi' };
const key: string = handshake.acceptKey('dGhlIHNhbXBsZSBub25jZQ==');
const subject: rx.SocketSubject<transforms.DataMessage, string> = rx.connect$('ws://127.0.0.1:1/');
const version: string = manifest.version;
const isProtocolError = (error: unknown): boolean => error instanceof wspipe.WebSocketError && error.closeCode === 1002;
const broker: wspipe.Broker = redis.createRedisBroker({ prefix: 'app:' });

// @ts-expect-error: not a message type
const wrong: transforms.Message = { type: 'texts', data: 'hi' };

export = { server, message, key, subject, version, isProtocolError, broker, wrong };
`;

test('a TypeScript consumer (ESM .ts and CommonJS .cts) type-checks against the installed declarations of every subpath', async () => {
  const packed = await packedPackage();
  const dir = join(packed.project, 'ts-consumer');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'consumer.ts'), ESM_CONSUMER);
  await writeFile(join(dir, 'consumer.cts'), CJS_CONSUMER);
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        resolveJsonModule: true,
        types: ['node'],
      },
      files: ['consumer.ts', 'consumer.cts'],
    }),
  );
  const run = await runTsc(packed.tsc, dir, ['--listFiles']);
  assert.is(run.code, 0, run.output);
  // The ESM consumer read the .d.ts files and the CommonJS one the .d.cts files, from the installed package.
  const listed = new Set(run.output.split('\n'));
  for (const subpath of SUBPATHS) {
    for (const extension of ['.d.ts', '.d.cts']) {
      const file = join(packed.installed, 'dist', `${subpath}${extension}`);
      assert.ok(listed.has(file), `tsc did not read ${file}`);
    }
  }
});

test.run();
