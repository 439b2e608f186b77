// wspipe/redis with redis installed as the peer: two servers, each with a broker on the Redis
// at REDIS_URL, one over ws:// and one over wss:// (certificate files from the test's PKI:
// CERT_FILE, KEY_FILE, signed by CA_FILE). A publication on either reaches the other's subscriber.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'wspipe';
import { createRedisBroker } from 'wspipe/redis';

// The ESM and CommonJS programs run at once on the same Redis: each its own streams.
const prefix = `journey${process.pid}:`;

async function roomServer(options) {
  const broker = createRedisBroker({ url: process.env.REDIS_URL, prefix });
  const server = createServer({ host: '127.0.0.1', port: 0, broker, ...options }, (connection) => {
    connection.subscribe('room');
    connection.on('message', (message) => connection.publish('room', message.data));
  });
  await once(server, 'listening');
  await broker.ready();
  return { server, broker };
}

async function subscriber(scheme, { server, broker }) {
  const subscribed = once(broker, 'subscribed');
  const client = await connect(`${scheme}://127.0.0.1:${server.address().port}/`, { ca: readFileSync(process.env.CA_FILE) });
  await subscribed;
  return client;
}

const next = (client) => new Promise((resolve) => client.once('message', (message) => resolve(message.data)));

async function main() {
  const plain = await roomServer({});
  const secure = await roomServer({ tls: { cert: readFileSync(process.env.CERT_FILE), key: readFileSync(process.env.KEY_FILE) } });
  const [onPlain, onSecure] = await Promise.all([subscriber('ws', plain), subscriber('wss', secure)]);

  const crossed = next(onSecure);
  console.log(`server.publish on the ws:// server wrote here to ${plain.server.publish('room', 'from ws server')}`);
  console.log(`the wss:// client got: ${await crossed}`);
  const back = next(onPlain);
  onSecure.send('from wss client');
  console.log(`the ws:// client got: ${await back}`);

  await Promise.all([onPlain, onSecure].map((client) => (client.close(1000), once(client, 'close'))));
  await Promise.all([plain.server.close(), secure.server.close()]); // each closes its broker
  console.log('servers closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
