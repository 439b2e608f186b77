// WebSocketStream (client) against a server whose connections are read and written as Web
// Streams (`connection.stream()`), over ws:// and over wss:// (certificate files from the
// test's PKI: CERT_FILE, KEY_FILE, signed by CA_FILE).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, WebSocketStream } from 'wspipe';

const ca = readFileSync(process.env.CA_FILE);

async function streamEchoServer(options) {
  const server = createServer({ host: '127.0.0.1', port: 0, handleProtocols: ['chat'], ...options }, (connection) => {
    const { readable, writable } = connection.stream();
    // Text back with a prefix, binary back as it came; the pipe ends when the client closes.
    const echo = new TransformStream({ transform: (data, controller) => controller.enqueue(typeof data === 'string' ? `echo ${data}` : data) });
    readable.pipeThrough(echo).pipeTo(writable).catch(() => {});
  });
  await once(server, 'listening');
  return server;
}

async function roundTrip(url) {
  const wss = new WebSocketStream(url, { protocols: ['chat'] }, { ca });
  const { readable, writable, protocol } = await wss.opened;
  const writer = writable.getWriter();
  const reader = readable.getReader();
  await writer.write('hi');
  await writer.write(new Uint8Array([7, 8, 9]));
  const received = [];
  for (let i = 0; i < 2; i++) {
    const { value } = await reader.read();
    received.push(typeof value === 'string' ? value : `<${Buffer.from(value).toString('hex')}>`);
  }
  wss.close({ closeCode: 1000, reason: 'bye' });
  const { closeCode } = await wss.closed;
  return `got ${received.join(' ')}, protocol ${protocol}, closed ${closeCode}`;
}

async function main() {
  const plain = await streamEchoServer({});
  const secure = await streamEchoServer({ tls: { cert: readFileSync(process.env.CERT_FILE), key: readFileSync(process.env.KEY_FILE) } });
  console.log(`ws:// WebSocketStream: ${await roundTrip(`ws://127.0.0.1:${plain.address().port}/`)}`);
  console.log(`wss:// WebSocketStream: ${await roundTrip(`wss://127.0.0.1:${secure.address().port}/`)}`);
  await Promise.all([new Promise((resolve) => plain.close(resolve)), new Promise((resolve) => secure.close(resolve))]);
  console.log('servers closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
