/**
 * Cross-checks with a peer we did not write: `ws`'s PerMessageDeflate class on payloads
 * (every takeover combination, small windows, fragmented messages both ways), and real
 * `ws` servers and clients with permessage-deflate over TCP on 127.0.0.1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  createDecoderCore,
  createEncoderCore,
  deflateStageOptions,
  type AgreedDeflate,
  type EncoderInput,
  type Message,
  type Role,
} from '../../src/transforms/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { decodeAll, encodeAll, jsonText, parseFrames, withTimeout, type TestError } from './helpers.js';

/** The part of ws's (untyped, unexported) PerMessageDeflate class used here. */
interface WsPerMessageDeflate {
  accept(configurations: Array<Record<string, string[] | true[]>>): unknown;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  cleanup(): void;
}
type WsPerMessageDeflateClass = new (options: { threshold?: number; isServer?: boolean; maxPayload?: number }) => WsPerMessageDeflate;

// ws exports only its entry point; its internal module is loaded by path.
const require = createRequire(join(process.cwd(), 'package.json'));
const PerMessageDeflate = require(join(require.resolve('ws'), '..', 'lib', 'permessage-deflate.js')) as WsPerMessageDeflateClass;

const wsCall = (run: (callback: (error: Error | null, result?: Buffer) => void) => void) =>
  new Promise<Buffer>((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result!))));

/** A ws PerMessageDeflate playing `role`, configured with the agreed parameters. */
function wsPeer(agreed: AgreedDeflate, role: Role): WsPerMessageDeflate {
  const params: Record<string, string[] | true[]> = {
    server_max_window_bits: [String(agreed.serverMaxWindowBits)],
    client_max_window_bits: [String(agreed.clientMaxWindowBits)],
  };
  if (agreed.serverNoContextTakeover) params['server_no_context_takeover'] = [true];
  if (agreed.clientNoContextTakeover) params['client_no_context_takeover'] = [true];
  const peer = new PerMessageDeflate({ threshold: 0, isServer: role === 'server' });
  peer.accept([params]);
  return peer;
}

const messages: Message[] = [
  { type: 'text', data: 'Hello' },
  { type: 'text', data: jsonText(50_000, 31) },
  { type: 'binary', data: randomBytes(20_000) },
  { type: 'text', data: '' },
  { type: 'text', data: jsonText(50_000, 31) },
  { type: 'binary', data: Buffer.from(jsonText(300_000, 32)) },
];

const payloadOf = (message: Message) => (message.type === 'text' ? Buffer.from(message.data) : (message as { data: Buffer }).data);

const agreements: AgreedDeflate[] = [];
for (const serverNoContextTakeover of [false, true]) {
  for (const clientNoContextTakeover of [false, true]) {
    agreements.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits: 15, clientMaxWindowBits: 15, threshold: 0 });
  }
}
agreements.push({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 9, clientMaxWindowBits: 10, threshold: 0 });

test('ws inflates what we compress (every agreement, fragmented too)', async () => {
  for (const agreed of agreements) {
    for (const role of ['server', 'client'] as const) {
      const label = `${JSON.stringify(agreed)} we are ${role}`;
      const encoded = await encodeAll(messages, { role, fragmentSize: 4000, deflate: deflateStageOptions(agreed, role).deflate });
      assert.is(encoded.error, null);
      const peer = wsPeer(agreed, role === 'server' ? 'client' : 'server');
      const received: Buffer[] = [];
      let pieces: Buffer[] = [];
      for (const parsed of parseFrames(encoded.bytes)) {
        if (parsed.opcode !== 0) assert.ok(parsed.rsv1, `${label}: first frames carry RSV1`);
        pieces.push(await wsCall((callback) => peer.decompress(parsed.payload, parsed.fin, callback)));
        if (parsed.fin) {
          received.push(Buffer.concat(pieces));
          pieces = [];
        }
      }
      peer.cleanup();
      assert.is(received.length, messages.length, label);
      messages.forEach((message, i) => assert.ok(received[i]!.equals(payloadOf(message)), `${label} #${i}`));
    }
  }
});

test('we inflate what ws compresses (every agreement, fragmented by ws too)', async () => {
  for (const agreed of agreements) {
    for (const role of ['server', 'client'] as const) {
      const label = `${JSON.stringify(agreed)} we are ${role}`;
      const peer = wsPeer(agreed, role === 'server' ? 'client' : 'server');
      const frames: Buffer[] = [];
      for (const message of messages) {
        const payload = payloadOf(message);
        const opcode = message.type === 'text' ? 1 : 2;
        // ws compresses a message given in pieces as a stream (fin false keeps the tail).
        const cuts = payload.length > 10_000 ? [0, 3000, 9000, payload.length] : [0, payload.length];
        for (let i = 0; i + 1 < cuts.length; i++) {
          const fin = i + 2 === cuts.length;
          const data = await wsCall((callback) => peer.compress(payload.subarray(cuts[i], cuts[i + 1]), fin, callback));
          frames.push(frame({ opcode: i === 0 ? opcode : 0, rsv1: i === 0, fin, payload: data, mask: role === 'server' ? MASK : undefined }));
        }
      }
      peer.cleanup();
      const decoded = await decodeAll([Buffer.concat(frames)], { role, inflate: deflateStageOptions(agreed, role).inflate });
      assert.is(decoded.error, null, `${label}: ${decoded.error?.message}`);
      assert.equal(decoded.messages, messages, label);
    }
  }
});

/** Feeds a socket into a decoder chain with backpressure, and an encoder chain into the socket. */
function attach(socket: Socket, role: Role, agreed: AgreedDeflate, onMessage: (message: Message) => void, onError: (error: TestError) => void) {
  const options = deflateStageOptions(agreed, role);
  const decoder = createDecoderCore({ role, inflate: options.inflate }, { accept: onMessage });
  const encoder = createEncoderCore({ role, deflate: options.deflate, fragmentSize: 16 * 1024 }, { accept: (bytes) => socket.write(bytes) });
  const raw: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    raw.push(Buffer.from(chunk));
    socket.pause();
    try {
      decoder.accept(chunk);
    } catch (error) {
      onError(error as TestError);
      return;
    }
    decoder.whenSettled!((error) => (error ? onError(error) : socket.resume()));
  });
  socket.on('close', () => {
    decoder.destroy?.();
    encoder.destroy?.();
  });
  const send = (input: EncoderInput) => encoder.accept(input);
  return { send, raw };
}

/** Parses one `permessage-deflate` response header into the agreement (enough for ws's answers). */
function agreementFrom(header: string): AgreedDeflate {
  const params = new Map(header.split(';').slice(1).map((param) => param.trim().split('=') as [string, string]));
  return {
    serverNoContextTakeover: params.has('server_no_context_takeover'),
    clientNoContextTakeover: params.has('client_no_context_takeover'),
    serverMaxWindowBits: Number(params.get('server_max_window_bits') ?? 15),
    clientMaxWindowBits: Number(params.get('client_max_window_bits') ?? 15),
    threshold: 0,
  };
}

const acceptKey = (key: string) => createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');

const wireMessages: Message[] = [
  { type: 'text', data: 'Hello' },
  { type: 'text', data: jsonText(200_000, 41) },
  { type: 'binary', data: randomBytes(70_000) },
  { type: 'text', data: '' },
  { type: 'binary', data: Buffer.from(jsonText(1 << 20, 42)) },
  { type: 'text', data: jsonText(200_000, 41) },
];

test('a real ws server echoes our compressed client messages, compressed', async () => {
  for (const serverOptions of [{ threshold: 0 }, { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11 }]) {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: serverOptions });
    server.on('connection', (ws) => ws.on('message', (data: RawData, isBinary: boolean) => ws.send(data as Buffer, { binary: isBinary })));
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const socket = connect(port, '127.0.0.1');
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n`,
    );
    const head = await readHead(socket);
    assert.match(head.text, /^HTTP\/1.1 101/);
    assert.ok(head.text.includes(acceptKey(key)));
    const extension = /sec-websocket-extensions: (.*)\r\n/i.exec(head.text)![1]!;
    const agreed = agreementFrom(extension);
    const received: Message[] = [];
    let failure: TestError | null = null;
    let raw: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      const connection = attach(socket, 'client', agreed, (message) => {
        received.push(message);
        if (received.length === wireMessages.length) resolve();
      }, (error) => {
        failure = error;
        resolve();
      });
      if (head.rest.length) socket.unshift(head.rest);
      socket.resume();
      for (const message of wireMessages) connection.send(message);
      socket.once('close', () => resolve());
      raw = connection.raw;
    });
    await withTimeout(done, 10_000, 'echo through a ws server');
    const frames = parseFrames(Buffer.concat(raw));
    assert.ok(frames.filter((f) => f.opcode !== 0).every((f) => f.rsv1), 'ws compressed every reply');
    assert.is(failure, null);
    assert.equal(received, wireMessages, extension);
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a real ws client talks to our compressed server chains', async () => {
  const agreedHeader = 'permessage-deflate; server_no_context_takeover; client_max_window_bits=12';
  const server = createServer((socket) => {
    void readHead(socket).then((head) => {
      const key = /sec-websocket-key: (.*)\r\n/i.exec(head.text)![1]!;
      assert.match(head.text, /sec-websocket-extensions: permessage-deflate/i);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\nSec-WebSocket-Extensions: ${agreedHeader}\r\n\r\n`);
      const connection = attach(socket, 'server', agreementFrom(agreedHeader), (message) => {
        if (message.type === 'close') {
          connection.send({ type: 'close', code: 1000, reason: '' });
          socket.end();
        } else {
          connection.send(message as EncoderInput);
        }
      }, () => socket.destroy());
      if (head.rest.length) socket.unshift(head.rest);
      socket.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
  const echoed: Message[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data: RawData, isBinary: boolean) => {
    echoed.push(isBinary ? { type: 'binary', data: data as Buffer } : { type: 'text', data: data.toString() });
    if (echoed.length === wireMessages.length) ws.close(1000);
  });
  await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 10_000, 'ws client handshake');
  assert.match(ws.extensions, /^permessage-deflate/);
  for (const message of wireMessages) ws.send((message as { data: Buffer | string }).data, { binary: message.type === 'binary' });
  assert.is(await withTimeout(closed, 10_000, 'echo to a ws client'), 1000);
  assert.equal(echoed, wireMessages);
  await new Promise((resolve) => server.close(resolve));
});

/** Reads an HTTP head off `socket`; `rest` is what followed it. */
function readHead(socket: Socket): Promise<{ text: string; rest: Buffer }> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      resolve({ text: buffered.subarray(0, end + 4).toString('latin1'), rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
  });
}

test.run();
