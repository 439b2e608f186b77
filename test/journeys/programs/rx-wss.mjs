// wspipe/rx over wss:// (certificate files from the test's PKI: CERT_FILE, KEY_FILE, signed by
// CA_FILE): connect$ takes connect()'s TLS options; a subject without the CA is refused.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { firstValueFrom, lastValueFrom, map, take, toArray } from 'rxjs';
import { createServer } from 'wspipe';
import { connect$ } from 'wspipe/rx';

async function main() {
  const server = createServer({ host: '127.0.0.1', port: 0, tls: { cert: readFileSync(process.env.CERT_FILE), key: readFileSync(process.env.KEY_FILE) } }, (connection) => {
    connection.on('message', (message) => connection.send(`echo ${message.data}`));
  });
  await once(server, 'listening');
  const url = `wss://127.0.0.1:${server.address().port}/`;

  let closed;
  const closeInfo = new Promise((resolve) => (closed = resolve));
  const socket = connect$(url, { ca: readFileSync(process.env.CA_FILE), closeObserver: { next: closed } });
  const replies = lastValueFrom(socket.pipe(map((message) => message.data), take(2), toArray()));
  socket.next('one');
  socket.next('two');
  console.log(`wss:// client got: ${(await replies).join(', ')}`);
  const { code, wasClean } = await closeInfo;
  console.log(`wss:// client closed: ${code} clean ${wasClean}`);

  const refused = await firstValueFrom(connect$(url)).then(
    () => 'accepted',
    (error) => `refused (${error.code})`,
  );
  console.log(`wss:// without the CA: ${refused}`);
  await server.close();
  console.log('server closed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
