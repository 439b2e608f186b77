import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { catchError, EMPTY, map, mergeMap } from 'rxjs';
import { connect$, connections$, messages$ } from '../../src/rx/index.js';
import type { WebSocketServer } from '../../src/server/server.js';
import { guardLeaks, eventually, startServer, when } from './helpers.js';

guardLeaks(test);

/** The broadcast hub of examples/rx-broadcast-hub.ts: every message goes to all other clients. */
function hub(server: WebSocketServer) {
  return connections$(server)
    .pipe(
      mergeMap((connection) =>
        messages$(connection).pipe(
          map((message) => ({ from: connection, message })),
          catchError(() => EMPTY), // one client dropping does not end the hub
        ),
      ),
    )
    .subscribe(({ from, message }) => {
      for (const client of server.connections) if (client !== from) client.send(message.data);
    });
}

test('broadcast hub: each message reaches every other client, not its sender', async () => {
  const ts = await startServer();
  let hubDone = false;
  const subscription = hub(ts.server);
  subscription.add(() => (hubDone = true));
  const clients = [0, 1, 2].map(() => connect$(ts.url));
  const inboxes = clients.map(() => [] as string[]);
  const errors: unknown[] = [];
  const subs = clients.map((client, i) => client.subscribe({ next: (m) => inboxes[i]!.push(String(m.data)), error: (e: unknown) => errors.push(e) }));
  await eventually(() => ts.server.connections.size === 3);
  clients.forEach((client, i) => client.next(`from ${i}`));
  await eventually(() => inboxes.every((inbox) => inbox.length === 2));
  inboxes.forEach((inbox, i) => assert.equal([...inbox].sort(), [0, 1, 2].filter((j) => j !== i).map((j) => `from ${j}`)));

  // A client that drops abnormally leaves the others talking.
  clients[2]!.connection!.terminate();
  await eventually(() => ts.server.connections.size === 2);
  clients[0]!.next('still here');
  await eventually(() => inboxes[1]!.length === 3);
  assert.is(inboxes[1]![2], 'still here');
  assert.is(inboxes[2]!.length, 2);
  assert.is((errors[0] as { closeCode: number }).closeCode, 1006);

  subs.forEach((sub) => sub.unsubscribe());
  await Promise.all(clients.map((client) => when(client.state$, (s) => s === 'closed')));
  await ts.close();
  assert.ok(hubDone, 'the hub completes with the server');
});

test.run();
