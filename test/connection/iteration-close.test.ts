/**
 * How `for await (const message of connection)` ends, as `messages$` does: normally after
 * a clean 1000, with a CloseError (closeCode 1006, wasClean false) after the peer drops
 * the connection. Our server and client over 127.0.0.1.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloseError, connect, WebSocketError, type Connection, type DataMessage } from '../../src/index.js';
import { messages$ } from '../../src/rx/index.js';
import { nextConnection, startListening, type EchoServer } from '../helpers/servers.js';
import { withTimeout } from '../helpers/timeouts.js';

/** The texts iteration yields, and how it ended: null when normally, else what it threw. */
async function iterate(connection: Connection): Promise<{ texts: string[]; thrown: unknown }> {
  const texts: string[] = [];
  try {
    for await (const message of connection) texts.push(message.data as string);
  } catch (error) {
    return { texts, thrown: error };
  }
  return { texts, thrown: null };
}

/** The same through messages$. */
async function observe(connection: Connection): Promise<{ texts: string[]; thrown: unknown }> {
  try {
    const messages = await lastValueFrom(messages$(connection).pipe(toArray()));
    return { texts: messages.map((message: DataMessage) => message.data as string), thrown: null };
  } catch (error) {
    return { texts: [], thrown: error };
  }
}

async function pair(): Promise<{ server: EchoServer; client: Connection; serverSide: Connection }> {
  const server = await startListening({}, () => {});
  const accepted = nextConnection(server.server);
  accepted.catch(() => {}); // awaited below, unless connecting fails first
  const client = await connect(server.url);
  return { server, client, serverSide: await accepted };
}

test('iteration and messages$ end normally after a clean 1000, with every message before it', async () => {
  const { server, client, serverSide } = await pair();
  try {
    const iterated = iterate(client);
    const observed = observe(client);
    serverSide.send('one');
    serverSide.send('two');
    serverSide.close(1000, 'done');
    const [byIteration, byObservable] = await withTimeout(Promise.all([iterated, observed]), 5000, 'both to end');
    assert.equal(byIteration, { texts: ['one', 'two'], thrown: null });
    assert.equal(byObservable.thrown, null);
  } finally {
    client.terminate();
    await server.stop();
  }
});

test('iteration and messages$ throw a CloseError (1006, not clean) when the peer drops the connection', async () => {
  const { server, client, serverSide } = await pair();
  try {
    const iterated = iterate(client);
    const observed = observe(client);
    serverSide.send('before the drop');
    await new Promise((resolve) => client.once('message', resolve));
    serverSide.terminate(); // destroys the server's socket: no close frame
    const [byIteration, byObservable] = await withTimeout(Promise.all([iterated, observed]), 5000, 'both to end');
    assert.equal(byIteration.texts, ['before the drop']);
    for (const { thrown } of [byIteration, byObservable]) {
      assert.instance(thrown, CloseError);
      assert.instance(thrown, WebSocketError);
      const error = thrown as CloseError;
      assert.is(error.code, 'WS_ERR_CLOSED');
      assert.is(error.closeCode, 1006);
      assert.is(error.wasClean, false);
    }
  } finally {
    client.terminate();
    await server.stop();
  }
});

test('iteration started after an abnormal close throws the same CloseError at once', async () => {
  const { server, client, serverSide } = await pair();
  try {
    const closed = new Promise((resolve) => client.once('close', resolve));
    serverSide.terminate();
    await withTimeout(closed, 5000, 'the client to see the drop');
    const { thrown } = await withTimeout(iterate(client), 1000, 'iteration after the close');
    assert.instance(thrown, CloseError);
    assert.is((thrown as CloseError).closeCode, 1006);
  } finally {
    await server.stop();
  }
});

test.run();
