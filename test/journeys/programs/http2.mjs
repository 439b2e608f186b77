// WebSockets over HTTP/2 (RFC 8441): a WebSocketServer attached to a node:http2 secure server
// (certificate files from the test's PKI: CERT_FILE, KEY_FILE, signed by CA_FILE) takes
// `connect(url, { http2: true })` as streams of one session, and HTTP/1.1 upgrades on the same port.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { connect, WebSocketServer } from 'wspipe';

const ca = readFileSync(process.env.CA_FILE);

async function echo(url, options) {
  const connection = await connect(url, { ca, ...options });
  connection.send('hi');
  const [message] = await once(connection, 'message');
  connection.close(1000);
  const [code] = await once(connection, 'close');
  return `${connection.transport}: got ${message.data}, closed ${code}`;
}

async function main() {
  const web = createSecureServer(
    { cert: readFileSync(process.env.CERT_FILE), key: readFileSync(process.env.KEY_FILE), allowHTTP1: true, settings: { enableConnectProtocol: true } },
    (request, response) => response.end('page'),
  );
  const wss = new WebSocketServer({ server: web, path: '/ws' });
  const seen = [];
  wss.on('connection', (connection, request) => {
    seen.push(`${connection.transport} ${request.httpVersion}`);
    connection.on('message', (message) => connection.send(`echo ${message.data}`));
  });
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  const url = `wss://127.0.0.1:${web.address().port}/ws`;

  console.log(`http2: true: ${await echo(url, { http2: true })}`);
  console.log(`without http2: ${await echo(url, {})}`);
  console.log(`server saw: ${seen.join(', ')}`);
  await wss.close();
  await new Promise((resolve) => web.close(resolve));
  console.log('servers closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
