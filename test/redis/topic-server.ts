/**
 * One server process of the multi-process tests (test/redis/processes.test.ts):
 * `node --import tsx test/redis/topic-server.ts REDIS_URL [CERT KEY]` (wss:// given a
 * certificate). Every connection subscribes to 'room', and what a client sends is
 * published to 'room' (connection.publish: everyone but itself, on every process).
 *
 * stdout: `listening <port>`, then `subscribed room` once messages from other processes
 * are read, `ready lost-data` after Redis came back empty, `done <name>` after a run.
 * stdin: `run <name> <count> <everyMs>` publishes `<name><i>` for i < count, one every
 * `everyMs` ms (server.publish).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createServer } from '../../src/index.js';
import { createRedisBroker } from '../../src/redis/index.js';

const [url, certFile, keyFile] = process.argv.slice(2);
const broker = createRedisBroker({ url: url!, maxReconnectDelay: 100 });
broker.on('error', () => {});
broker.on('subscribed', (topic) => console.log(`subscribed ${topic}`));
broker.on('ready', ({ redisLostData }) => redisLostData && console.log('ready lost-data'));
const tls = certFile && keyFile ? { tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : {};
const server = createServer({ host: '127.0.0.1', port: 0, broker, ...tls }, (connection) => {
  connection.subscribe('room');
  connection.on('message', (message) => connection.publish('room', message.data));
});
server.once('listening', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
// Reading 'room' from the start, clients or not: the tests wait for `subscribed room`.
server.subscribe('room', () => {});

function run(name: string, count: number, everyMs: number): void {
  let next = 0;
  const timer = setInterval(() => {
    server.publish('room', `${name}${next++}`);
    if (next === count) {
      clearInterval(timer);
      console.log(`done ${name}`);
    }
  }, everyMs);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, name, count, everyMs] = line.trim().split(' ');
  if (command === 'run') run(name!, Number(count), Number(everyMs));
});
process.on('SIGTERM', () => {
  server.close({ timeout: 1000 }).then(() => process.exit(0));
});
