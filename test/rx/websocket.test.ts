/** rxjs's own webSocket() (rxjs/webSocket) on top of wspipe's WHATWG WebSocket class. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, take, toArray } from 'rxjs';
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import { WebSocket } from '../../src/index.js';
import { guardLeaks, echo, eventually, startServer } from './helpers.js';

guardLeaks(test);

test("rxjs's own webSocket() runs on wspipe's WebSocket", async () => {
  const ts = await startServer((connection) => {
    connection.send(JSON.stringify({ hello: 'rxjs' }));
    echo(connection);
  });
  const WebSocketCtor = WebSocket as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'];
  const subject = webSocket<{ hello?: string; n?: number }>({ url: ts.url, WebSocketCtor });
  const values = firstValueFrom(subject.pipe(take(3), toArray()));
  subject.next({ n: 1 });
  subject.next({ n: 2 });
  assert.equal(await values, [{ hello: 'rxjs' }, { n: 1 }, { n: 2 }]);
  await eventually(() => ts.accepted.length === 1 && ts.accepted[0]!.readyState === 3);

  // multiplex, the rxjs way, also works over it
  const topic = subject.multiplex(
    () => ({ n: 10 }),
    () => ({ n: 11 }),
    (value) => value.n === 10,
  );
  assert.equal(await firstValueFrom(topic), { n: 10 });
  await eventually(() => ts.accepted.length === 2 && ts.accepted[1]!.readyState === 3);
  await ts.close();
});

test.run();
