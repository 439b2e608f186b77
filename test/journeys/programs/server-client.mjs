// A wspipe echo server over ws:// and over wss:// (certificate files from the test's PKI:
// CERT_FILE, KEY_FILE, signed by CA_FILE), each reached with `connect()` and with the
// WHATWG `new WebSocket(url)`. A client that does not trust the CA must be refused.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer, WebSocket } from 'wspipe';

const ca = readFileSync(process.env.CA_FILE);

async function echoServer(options) {
  const server = createServer({ host: '127.0.0.1', port: 0, handleProtocols: ['chat'], ...options }, (connection) => {
    connection.on('message', (message) => connection.send(message.type === 'text' ? `echo ${message.data}` : message.data));
  });
  await once(server, 'listening');
  return server;
}

async function withConnect(url) {
  const connection = await connect(url, { ca, protocols: ['chat'] });
  connection.send('hi');
  connection.send(new Uint8Array([7, 8, 9]));
  const received = [];
  // Iteration ends when the connection closes.
  for await (const message of connection) {
    received.push(message.type === 'text' ? message.data : `<${message.data.toString('hex')}>`);
    if (received.length === 2) connection.close(1000, 'bye');
  }
  return `got ${received.join(' ')}, protocol ${connection.protocol}, closed ${connection.readyState === 3}`;
}

function withWebSocket(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['chat'], { ca });
    socket.binaryType = 'arraybuffer';
    const received = [];
    socket.onopen = () => {
      socket.send('hi');
      socket.send(new Uint8Array([7, 8, 9]));
    };
    socket.onmessage = (event) => {
      received.push(typeof event.data === 'string' ? event.data : `<${Buffer.from(event.data).toString('hex')}>`);
      if (received.length === 2) socket.close(1000, 'bye');
    };
    socket.onerror = (event) => reject(event.error ?? new Error(`error event: ${event.message}`));
    socket.onclose = (event) =>
      resolve(`got ${received.join(' ')}, protocol ${socket.protocol}, close ${event.code} ${event.reason} clean ${event.wasClean}`);
  });
}

async function main() {
  const plain = await echoServer({});
  const secure = await echoServer({ tls: { cert: readFileSync(process.env.CERT_FILE), key: readFileSync(process.env.KEY_FILE) } });
  const ws = `ws://127.0.0.1:${plain.address().port}/`;
  const wss = `wss://127.0.0.1:${secure.address().port}/`;

  console.log(`ws:// connect: ${await withConnect(ws)}`);
  console.log(`ws:// WebSocket: ${await withWebSocket(ws)}`);
  console.log(`wss:// connect: ${await withConnect(wss)}`);
  console.log(`wss:// WebSocket: ${await withWebSocket(wss)}`);
  const untrusted = await connect(wss).then(
    (connection) => {
      connection.terminate();
      return 'accepted';
    },
    (error) => `refused (${error.code})`,
  );
  console.log(`wss:// connect without the CA: ${untrusted}`);

  await Promise.all([new Promise((resolve) => plain.close(resolve)), new Promise((resolve) => secure.close(resolve))]);
  console.log('servers closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
