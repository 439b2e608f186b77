// Topics: clients over ws:// and over wss:// (certificate files from the test's PKI:
// CERT_FILE, KEY_FILE, signed by CA_FILE) subscribe on connection; `server.publish()` reaches
// every subscriber, `connection.publish()` everyone but the sender.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'wspipe';

const ca = readFileSync(process.env.CA_FILE);

async function roomServer(options) {
  const server = createServer({ host: '127.0.0.1', port: 0, ...options }, (connection) => {
    connection.subscribe('room');
    connection.on('message', (message) => connection.publish('room', message.data));
  });
  await once(server, 'listening');
  return server;
}

const next = (client) => new Promise((resolve) => client.once('message', (message) => resolve(message.data)));

async function room(scheme, server) {
  const url = `${scheme}://127.0.0.1:${server.address().port}/`;
  const [alice, bob] = await Promise.all([connect(url, { ca }), connect(url, { ca })]);
  const heard = next(bob);
  alice.send('hi all');
  const fromAlice = await heard;
  const both = Promise.all([next(alice), next(bob)]);
  const written = server.publish('room', 'news');
  const news = await both;
  const line = `bob heard ${fromAlice}; server.publish wrote to ${written} of ${server.subscriberCount('room')}: ${news.join(', ')}`;
  await Promise.all([alice, bob].map((client) => (client.close(1000), once(client, 'close'))));
  return line;
}

async function main() {
  const plain = await roomServer({});
  const secure = await roomServer({ tls: { cert: readFileSync(process.env.CERT_FILE), key: readFileSync(process.env.KEY_FILE) } });
  console.log(`ws:// topics: ${await room('ws', plain)}`);
  console.log(`wss:// topics: ${await room('wss', secure)}`);
  await Promise.all([plain.close(), secure.close()]);
  console.log('servers closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
