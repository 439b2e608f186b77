// wspipe/rx with rxjs installed as the peer: a server's connections$ and messages$ echo,
// a connect$ subject sends and receives, and everything completes on a normal close.
import { once } from 'node:events';
import { lastValueFrom, map, mergeMap, take, toArray } from 'rxjs';
import { createServer } from 'wspipe';
import { connect$, connections$, messages$ } from 'wspipe/rx';

async function main() {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  // Completes when the server closes (connections$) and each client closes normally (messages$).
  const serverReceived = lastValueFrom(
    connections$(server).pipe(
      mergeMap((connection) =>
        messages$(connection).pipe(
          map((message) => {
            connection.send(`echo ${message.data}`);
            return message.data;
          }),
        ),
      ),
      toArray(),
    ),
  );
  await once(server, 'listening');

  let closed;
  const closeInfo = new Promise((resolve) => (closed = resolve));
  const socket = connect$(`ws://127.0.0.1:${server.address().port}/`, { closeObserver: { next: closed } });
  const states = [];
  const stateSubscription = socket.state$.subscribe((state) => states.push(state));
  // Subscribing connects; taking two values then unsubscribing closes with 1000.
  const replies = lastValueFrom(socket.pipe(map((message) => message.data), take(2), toArray()));
  socket.next('one'); // buffered until the connection is open
  socket.next('two');
  console.log(`client got: ${(await replies).join(', ')}`);
  const { code, wasClean } = await closeInfo;
  console.log(`client closed: ${code} clean ${wasClean}`);

  await new Promise((resolve) => server.close(resolve));
  console.log(`server got: ${(await serverReceived).join(', ')}`);
  stateSubscription.unsubscribe();
  console.log(`client states: ${states.join(' → ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
